/* SPDX-License-Identifier: Apache-2.0 */
/* The storage contract suite: the same cases against any storage plugin. Usage: contract_test PLUGIN_SO URI */
#include "contract_support.h"
#include "contract_grace.h"
#include "contract_people.h"
#include "contract_webhooks.h"
#include "contract_client_jwt.h"
#include "contract_orgs.h"
#include "contract_federation.h"
#include "contract_consent.h"
#include "contract_search.h"

/* ---- cases ---- */

static void migrate_twice_is_a_no_op(void **state)
{
    int from = -1, to = -1, store = -1, supported = -1;

    OK(ops->migrate(st, &from, &to));
    assert_int_equal(from, to);
    OK(ops->schema_version(st, &store, &supported));
    assert_true(supported >= 1);
    assert_int_equal(store, supported);
    assert_int_equal(to, supported);
    OK(ops->ping(st));
}

static void tenant_crud(void **state)
{
    char other[ID_LEN], conflict[64] = "";
    json_t *got, *patch, *dup;

    got = GET(PC_ENT_TENANT, NULL, tid);
    assert_string_equal(json_string_value(json_object_get(got, "name")), "Acme");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(got, "settings"), "max")),
                     3);
    EXPECT_JSON(
        GET_BY(PC_ENT_TENANT, NULL, "slug", json_string_value(json_object_get(got, "slug"))), got);
    patch = keep(json_pack("{s:s,s:{}}", "name", "Acme 2", "settings"));
    OK(ops->update(st, NULL, PC_ENT_TENANT, NULL, tid, patch, NULL, 0));
    json_object_update(got, patch);
    EXPECT_JSON(GET(PC_ENT_TENANT, NULL, tid), got);
    /* slug is unique across tenants */
    dup = keep(json_deep_copy(got));
    json_object_set_new(dup, "id", json_string(new_id(other, "ten")));
    EXPECT(ops->insert(st, NULL, PC_ENT_TENANT, dup, conflict, sizeof conflict), PC_ERR_CONFLICT);
    assert_string_equal(conflict, "slug");
    OK(ops->remove(st, NULL, PC_ENT_TENANT, NULL, tid));
    ABSENT(PC_ENT_TENANT, NULL, tid);
    EXPECT(ops->remove(st, NULL, PC_ENT_TENANT, NULL, tid), PC_ERR_NOT_FOUND);
}

static void user_crud(void **state)
{
    char uid[ID_LEN], missing[ID_LEN];
    json_t *u, *patch;

    u = make_user(uid, tid, "alice", "alice@example.com");
    EXPECT_JSON(GET(PC_ENT_USER, tid, uid), u);
    EXPECT_JSON(GET_BY(PC_ENT_USER, tid, "username", "alice"), u);
    EXPECT_JSON(GET_BY(PC_ENT_USER, tid, "email", "alice@example.com"), u);
    /* update: set, change and clear columns; the others stay */
    patch = keep(json_pack("{s:s,s:s,s:n,s:I}", "name", "Alice Liddell", "phone_number",
                           "+15550100", "email", "updated_at", (json_int_t)(now + 5)));
    OK(ops->update(st, NULL, PC_ENT_USER, tid, uid, patch, NULL, 0));
    json_object_update(u, patch);
    EXPECT_JSON(GET(PC_ENT_USER, tid, uid), u);
    EXPECT(ops->update(st, NULL, PC_ENT_USER, tid, new_id(missing, "usr"), patch, NULL, 0),
           PC_ERR_NOT_FOUND);
    OK(ops->remove(st, NULL, PC_ENT_USER, tid, uid));
    ABSENT(PC_ENT_USER, tid, uid);
    EXPECT(ops->remove(st, NULL, PC_ENT_USER, tid, uid), PC_ERR_NOT_FOUND);
}

static void application_crud(void **state)
{
    char aid[ID_LEN], bid[ID_LEN];
    json_t *a, *b, *got, *patch, *list;
    pc_store_query q = {.limit = 10};

    a = app_rec(new_id(aid, "app"), tid, "web", 1);
    b = app_rec(new_id(bid, "app"), tid, "cli", 0);
    INSERT(PC_ENT_APPLICATION, a);
    INSERT(PC_ENT_APPLICATION, b);
    got = GET(PC_ENT_APPLICATION, tid, aid);
    EXPECT_JSON(got, a);
    assert_true(json_is_true(json_object_get(got, "first_party")));
    assert_true(json_is_array(json_object_get(got, "post_logout_redirect_uris")));
    got = GET_BY(PC_ENT_APPLICATION, tid, "client_id", "cli");
    EXPECT_JSON(got, b);
    assert_true(json_is_false(json_object_get(got, "first_party")));
    patch = keep(json_pack("{s:[ss],s:b,s:s}", "redirect_uris", "https://a.example/cb",
                           "https://b.example/cb", "first_party", 0, "secret_hash", "hash"));
    OK(ops->update(st, NULL, PC_ENT_APPLICATION, tid, aid, patch, NULL, 0));
    json_object_update(a, patch);
    EXPECT_JSON(GET(PC_ENT_APPLICATION, tid, aid), a);
    list = OUT(ops->list(st, NULL, PC_ENT_APPLICATION, tid, &q, &out_));
    assert_int_equal(json_array_size(list), 2);
    EXPECT_JSON(json_array_get(list, 0), a);
    EXPECT_JSON(json_array_get(list, 1), b);
    OK(ops->remove(st, NULL, PC_ENT_APPLICATION, tid, aid));
    ABSENT(PC_ENT_APPLICATION, tid, aid);
}

static void role_crud(void **state)
{
    char rid[ID_LEN];
    json_t *r, *got, *patch;

    r = make_role(rid, tid, "admin", json_pack("[ss]", "users:read", "users:write"));
    got = GET(PC_ENT_ROLE, tid, rid);
    EXPECT_JSON(got, r);
    assert_true(json_is_null(json_object_get(got, "description")));
    patch = keep(json_pack("{s:s,s:[]}", "description", "Administrators", "permissions"));
    OK(ops->update(st, NULL, PC_ENT_ROLE, tid, rid, patch, NULL, 0));
    json_object_update(r, patch);
    EXPECT_JSON(GET_BY(PC_ENT_ROLE, tid, "name", "admin"), r);
    OK(ops->remove(st, NULL, PC_ENT_ROLE, tid, rid));
    ABSENT(PC_ENT_ROLE, tid, rid);
}

static void expect_conflict(pc_entity ent, json_t *rec, const char *column, const char *file,
                            int line)
{
    char conflict[64] = "";

    expect_status(ops->insert(st, NULL, ent, rec, conflict, sizeof conflict), PC_ERR_CONFLICT,
                  "insert", file, line);
    if (strcmp(conflict, column) != 0) {
        print_error("conflict column \"%s\", expected \"%s\"\n", conflict, column);
        _fail(file, line);
    }
}

#define CONFLICT(ent, rec, column) expect_conflict((ent), (rec), (column), __FILE__, __LINE__)

static void unique_conflicts_name_the_column(void **state)
{
    char t2[ID_LEN], uid[ID_LEN], id[ID_LEN], conflict[64] = "";
    json_t *dup, *app;

    make_tenant(t2);
    make_user(uid, tid, "bob", "bob@example.com");
    make_user(id, tid, "carol", "carol@example.com");
    CONFLICT(PC_ENT_USER, user_rec(new_id(id, "usr"), tid, "bob", "other@example.com", NULL),
             "username");
    dup = user_rec(new_id(id, "usr"), tid, "bobby", "bob@example.com", NULL);
    CONFLICT(PC_ENT_USER, dup, "email");
    /* NULL conflict buffer is allowed */
    EXPECT(ops->insert(st, NULL, PC_ENT_USER, dup, NULL, 0), PC_ERR_CONFLICT);
    /* uniqueness is per tenant */
    INSERT(PC_ENT_USER, user_rec(new_id(id, "usr"), t2, "bob", "bob@example.com", NULL));
    app = app_rec(new_id(id, "app"), tid, "web", 0);
    INSERT(PC_ENT_APPLICATION, app);
    json_object_set_new(app, "id", json_string(new_id(id, "app")));
    json_object_set_new(app, "name", json_string("another name"));
    CONFLICT(PC_ENT_APPLICATION, app, "client_id");
    /* an update can conflict too */
    EXPECT(ops->update(st, NULL, PC_ENT_USER, tid, uid,
                       keep(json_pack("{s:s}", "username", "carol")), conflict, sizeof conflict),
           PC_ERR_CONFLICT);
    assert_string_equal(conflict, "username");
}

static void tenants_are_isolated(void **state)
{
    char ta[ID_LEN], tb[ID_LEN], uid[ID_LEN];
    json_t *u, *out = NULL;
    pc_store_query q = {.limit = 10};

    make_tenant(ta);
    make_tenant(tb);
    u = make_user(uid, ta, "dave", "dave@example.com");
    ABSENT(PC_ENT_USER, tb, uid);
    EXPECT(ops->get(st, NULL, PC_ENT_USER, tb, "username", "dave", &out), PC_ERR_NOT_FOUND);
    keep(out);
    EXPECT(ops->update(st, NULL, PC_ENT_USER, tb, uid, keep(json_pack("{s:s}", "name", "Mallory")),
                       NULL, 0),
           PC_ERR_NOT_FOUND);
    assert_int_not_equal(ops->remove(st, NULL, PC_ENT_USER, tb, uid), PC_OK);
    EMPTY(OUT(ops->list(st, NULL, PC_ENT_USER, tb, &q, &out_)));
    EXPECT_JSON(GET(PC_ENT_USER, ta, uid), u);
}

static void hostile_text_round_trips_verbatim(void **state)
{
    static const char evil[] = "x'); DROP TABLE users;--";
    static const char odd[] = "Zo\xc3\xab ? $1 '' \"q\" \\ %_";
    char uid[ID_LEN], id[ID_LEN];
    json_t *u, *got, *out = NULL;

    u = user_rec(new_id(uid, "usr"), tid, evil, "evil@example.com", odd);
    INSERT(PC_ENT_USER, u);
    got = GET_BY(PC_ENT_USER, tid, "username", evil);
    EXPECT_JSON(got, u);
    assert_string_equal(json_string_value(json_object_get(got, "name")), odd);
    /* a column name is never taken from the caller */
    assert_int_not_equal(ops->get(st, NULL, PC_ENT_USER, tid, "id; DROP TABLE users", uid, &out),
                         PC_OK);
    assert_int_not_equal(ops->get(st, NULL, PC_ENT_USER, tid, "password_hash", "x", &out), PC_OK);
    /* the table is still there */
    make_user(id, tid, "erin", NULL);
    EXPECT_JSON(GET(PC_ENT_USER, tid, uid), u);
}

static void list_page(const char *t, const char *after, unsigned limit, int desc, const char *want,
                      const char *file, int line)
{
    pc_store_query q = {.after = after, .limit = limit, .descending = desc};
    json_t *list = NULL;
    char got[512];

    expect_status(ops->list(st, NULL, PC_ENT_USER, t, &q, &list), PC_OK, "list", file, line);
    if (strcmp(ids_of(keep(list), got, sizeof got), want) != 0) {
        print_error("page after=%s limit=%u desc=%d\n  got:      %s\n  expected: %s\n",
                    after ? after : "NULL", limit, desc, got, want);
        _fail(file, line);
    }
}

#define PAGE(after, limit, desc, want) \
    list_page(tid, (after), (limit), (desc), (want), __FILE__, __LINE__)

static void list_paginates_by_id(void **state)
{
    char u[5][ID_LEN], want[5][256], name[16];

    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "user%d", i);
        make_user(u[i], tid, name, NULL);
    }
    snprintf(want[0], sizeof want[0], "%s,%s", u[0], u[1]);
    snprintf(want[1], sizeof want[1], "%s,%s", u[2], u[3]);
    snprintf(want[2], sizeof want[2], "%s", u[4]);
    snprintf(want[3], sizeof want[3], "%s,%s", u[4], u[3]);
    snprintf(want[4], sizeof want[4], "%s,%s,%s", u[2], u[1], u[0]);
    PAGE(NULL, 2, 0, want[0]);
    PAGE(u[1], 2, 0, want[1]);
    PAGE(u[3], 2, 0, want[2]);
    PAGE(u[4], 2, 0, "");
    PAGE(NULL, 2, 1, want[3]);
    PAGE(u[3], 10, 1, want[4]);
    PAGE(u[0], 10, 1, "");
}

static size_t count_matching(const char *t, json_t *filters, const char *file, int line)
{
    pc_store_query q = {.filters = keep(filters), .limit = 100};
    json_t *list = NULL;

    expect_status(ops->list(st, NULL, PC_ENT_USER, t, &q, &list), PC_OK, "list", file, line);
    return json_array_size(keep(list));
}

#define COUNT(filters) count_matching(tid, (filters), __FILE__, __LINE__)

static void list_filters(void **state)
{
    char id[ID_LEN];
    json_t *u, *list = NULL;
    pc_store_query q = {.limit = 10};

    make_user(id, tid, "alice", "alice@example.com");
    make_user(id, tid, "malice", "m@example.org");
    u = user_rec(new_id(id, "usr"), tid, "bob", "bob@example.com", "Bob ALICEson");
    INSERT(PC_ENT_USER, u);
    make_user(id, tid, "zed", "zed@example.net");
    assert_int_equal(COUNT(json_pack("{s:s}", "email", "alice@example.com")), 1);
    /* since schema 7 emails (and usernames) compare without regard to case */
    assert_int_equal(COUNT(json_pack("{s:s}", "email", "ALICE@example.com")), 1);
    assert_int_equal(COUNT(json_pack("{s:s}", "q", "ALIC")), 3);
    assert_int_equal(COUNT(json_pack("{s:s}", "q", "example.org")), 1);
    assert_int_equal(COUNT(json_pack("{s:s,s:s}", "q", "alice", "email", "bob@example.com")), 1);
    assert_int_equal(COUNT(json_pack("{s:s}", "q", "nobody")), 0);
    /* LIKE wildcards in q are literal characters */
    assert_int_equal(COUNT(json_pack("{s:s}", "q", "%")), 0);
    assert_int_equal(COUNT(json_pack("{s:s}", "q", "_")), 0);
    /* descending with a filter */
    q.filters = keep(json_pack("{s:s}", "q", "alic"));
    q.descending = 1;
    OK(ops->list(st, NULL, PC_ENT_USER, tid, &q, &list));
    assert_int_equal(json_array_size(keep(list)), 3);
    EXPECT_JSON(json_array_get(list, 0), u);
    /* an unknown column is refused, not ignored */
    q.filters = keep(json_pack("{s:s}", "no_such_column", "x"));
    list = NULL;
    assert_int_not_equal(ops->list(st, NULL, PC_ENT_USER, tid, &q, &list), PC_OK);
    keep(list);
}

static void rollback_leaves_nothing(void **state)
{
    char uid[ID_LEN];
    pc_store_tx *tx = NULL;
    json_t *u, *in_tx = NULL;
    pc_status inserted, read;

    u = user_rec(new_id(uid, "usr"), tid, "frank", NULL, NULL);
    OK(ops->begin(st, &tx));
    inserted = ops->insert(st, tx, PC_ENT_USER, u, NULL, 0);
    read = ops->get(st, tx, PC_ENT_USER, tid, "id", uid, &in_tx);
    ops->rollback(tx);
    EXPECT(inserted, PC_OK);
    EXPECT(read, PC_OK);
    EXPECT_JSON(keep(in_tx), u);
    ABSENT(PC_ENT_USER, tid, uid);
    ops->rollback(NULL);
}

static void commit_keeps(void **state)
{
    char uid[ID_LEN], rid[ID_LEN];
    pc_store_tx *tx = NULL;
    json_t *u, *r, *patch;

    u = user_rec(new_id(uid, "usr"), tid, "grace", NULL, NULL);
    r = keep(json_pack("{s:s,s:s,s:s,s:n,s:[s],s:I,s:I}", "id", new_id(rid, "rol"), "tenant_id",
                       tid, "name", "ops", "description", "permissions", "deploy", "created_at",
                       (json_int_t)now, "updated_at", (json_int_t)now));
    patch = keep(json_pack("{s:s}", "name", "Grace"));
    OK(ops->begin(st, &tx));
    OK(ops->insert(st, tx, PC_ENT_USER, u, NULL, 0));
    OK(ops->insert(st, tx, PC_ENT_ROLE, r, NULL, 0));
    OK(ops->update(st, tx, PC_ENT_USER, tid, uid, patch, NULL, 0));
    OK(ops->link_add(st, tx, PC_LINK_PRINCIPAL_ROLE, tid, uid, rid));
    OK(ops->commit(tx));
    json_object_update(u, patch);
    EXPECT_JSON(GET(PC_ENT_USER, tid, uid), u);
    EXPECT_JSON(GET(PC_ENT_ROLE, tid, rid), r);
    SET(perms_of(tid, uid), "deploy");
    EXPECT(ops->commit(NULL), PC_ERR_INVALID);
}

/* A conflict inside a transaction, then rollback: nothing kept, and every pooled connection still works. */
static void rollback_after_conflict(void **state)
{
    char uid[ID_LEN], id[ID_LEN];
    pc_store_tx *tx = NULL;
    pc_status inserted, conflict;

    make_user(id, tid, "heidi", NULL);
    OK(ops->begin(st, &tx));
    inserted = ops->insert(st, tx, PC_ENT_USER,
                           user_rec(new_id(uid, "usr"), tid, "ivan", NULL, NULL), NULL, 0);
    conflict = ops->insert(st, tx, PC_ENT_USER,
                           user_rec(new_id(id, "usr"), tid, "heidi", NULL, NULL), NULL, 0);
    ops->rollback(tx);
    EXPECT(inserted, PC_OK);
    EXPECT(conflict, PC_ERR_CONFLICT);
    ABSENT(PC_ENT_USER, tid, uid);
    for (int i = 0; i < 8; i++) {
        OK(ops->begin(st, &tx));
        GET_BY(PC_ENT_USER, tid, "username", "heidi");
        ops->rollback(tx);
    }
}

/* commit() reports what happened: OK means the earlier writes are kept. */
static void commit_after_conflict_is_truthful(void **state)
{
    char uid[ID_LEN], id[ID_LEN];
    pc_store_tx *tx = NULL;
    json_t *out = NULL;
    pc_status inserted, conflict, committed, found;

    make_user(id, tid, "judy", NULL);
    OK(ops->begin(st, &tx));
    inserted = ops->insert(st, tx, PC_ENT_USER,
                           user_rec(new_id(uid, "usr"), tid, "ken", NULL, NULL), NULL, 0);
    conflict = ops->insert(st, tx, PC_ENT_USER,
                           user_rec(new_id(id, "usr"), tid, "judy", NULL, NULL), NULL, 0);
    committed = ops->commit(tx);
    EXPECT(inserted, PC_OK);
    EXPECT(conflict, PC_ERR_CONFLICT);
    found = ops->get(st, NULL, PC_ENT_USER, tid, "id", uid, &out);
    keep(out);
    if ((committed == PC_OK) != (found == PC_OK))
        fail_msg("commit returned %s but the row inserted before the conflict is %s",
                 status_name(committed), found == PC_OK ? "present" : "gone");
}

/* The same transaction goes on after a conflict, as callers that try-insert-then-read expect. */
/* storage.h: an error inside a transaction fails the whole transaction, on
 * every backend alike; later operations fail and commit persists nothing. */
static void transaction_fails_after_conflict(void **state)
{
    char uid[ID_LEN], id[ID_LEN];
    pc_store_tx *tx = NULL;
    json_t *got = NULL;
    pc_status conflict, write, committed;

    make_user(id, tid, "leo", NULL);
    OK(ops->begin(st, &tx));
    conflict = ops->insert(st, tx, PC_ENT_USER, user_rec(new_id(id, "usr"), tid, "leo", NULL, NULL),
                           NULL, 0);
    write = ops->insert(st, tx, PC_ENT_USER, user_rec(new_id(uid, "usr"), tid, "mia", NULL, NULL),
                        NULL, 0);
    committed = ops->commit(tx);
    EXPECT(conflict, PC_ERR_CONFLICT);
    EXPECT(write, PC_ERR_STORAGE);
    EXPECT(committed, PC_ERR_STORAGE);
    EXPECT(ops->get(st, NULL, PC_ENT_USER, tid, "id", uid, &got), PC_ERR_NOT_FOUND);
    json_decref(got);
}

static void links_and_effective_permissions(void **state)
{
    char uid[ID_LEN], aid[ID_LEN], gid[ID_LEN], r1[ID_LEN], r2[ID_LEN], r3[ID_LEN];

    make_user(uid, tid, "nina", NULL);
    make_role(r1, tid, "reader", json_pack("[ss]", "doc:read", "doc:list"));
    make_role(r2, tid, "writer", json_pack("[ss]", "doc:list", "doc:write"));
    make_role(r3, tid, "robot", json_pack("[s]", "job:run"));
    make_group(gid, tid, "editors");
    INSERT(PC_ENT_APPLICATION, app_rec(new_id(aid, "app"), tid, "svc", 0));
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, uid, r1));
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, uid, r1)); /* idempotent */
    OK(ops->link_add(st, NULL, PC_LINK_GROUP_ROLE, tid, gid, r2));
    OK(ops->link_add(st, NULL, PC_LINK_GROUP_MEMBER, tid, gid, uid));
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, aid, r3));
    SET(perms_of(tid, uid), "doc:read", "doc:list", "doc:write");
    SET(roles_of(tid, uid), "reader", "writer");
    SET(perms_of(tid, aid), "job:run");
    SET(linked(PC_LINK_GROUP_MEMBER, tid, gid, 0), uid);
    SET(linked(PC_LINK_GROUP_MEMBER, tid, uid, 1), gid);
    SET(linked(PC_LINK_PRINCIPAL_ROLE, tid, uid, 0), r1);
    /* leaving the group drops the group's roles */
    OK(ops->link_remove(st, NULL, PC_LINK_GROUP_MEMBER, tid, gid, uid));
    SET(perms_of(tid, uid), "doc:read", "doc:list");
    /* removing a role removes its links */
    OK(ops->remove(st, NULL, PC_ENT_ROLE, tid, r1));
    EMPTY(roles_of(tid, uid));
    EMPTY(linked(PC_LINK_PRINCIPAL_ROLE, tid, uid, 0));
    /* remove all of a's links (b NULL) */
    OK(ops->link_remove(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, aid, NULL));
    EMPTY(perms_of(tid, aid));
}

static void links_are_tenant_scoped(void **state)
{
    char ta[ID_LEN], tb[ID_LEN], uid[ID_LEN], rid[ID_LEN];

    make_tenant(ta);
    make_tenant(tb);
    make_user(uid, ta, "oscar", NULL);
    make_role(rid, ta, "root", json_pack("[s]", "all"));
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, ta, uid, rid));
    SET(perms_of(ta, uid), "all");
    EMPTY(perms_of(tb, uid));
    EMPTY(roles_of(tb, uid));
    EMPTY(linked(PC_LINK_PRINCIPAL_ROLE, tb, uid, 0));
}

/* Rotate as client "cli" presenting the secret hash the grant holds at `from`:
 * "h0" at generation 0 (make_refresh), "h-next" after a rotation. */
static pc_status rotate(const char *t, const char *id, int64_t from, int64_t at, json_t **out)
{
    const char *hash = from == 0 ? "h0" : "h-next";
    pc_status rc;

    *out = NULL;
    rc = ops->refresh_rotate(st, NULL, t, id, from, "cli", hash, "h-next", at + 7200, at, out);
    keep(*out);
    return rc;
}

static int64_t generation_of(json_t *rec)
{
    return json_integer_value(json_object_get(rec, "generation"));
}

static void refresh_rotate_advances_once(void **state)
{
    char t2[ID_LEN], uid[ID_LEN], g[ID_LEN], old[ID_LEN], missing[ID_LEN];
    json_t *out = NULL;

    make_tenant(t2);
    make_user(uid, tid, "peggy", NULL);
    make_refresh(new_id(g, "rg"), tid, uid, NULL, now + 3600);
    make_refresh(new_id(old, "rg"), tid, uid, NULL, now - 1);
    EXPECT(rotate(t2, g, 0, now, &out), PC_ERR_NOT_FOUND);
    /* another client, or a secret that is not the grant's: nothing changes */
    EXPECT(ops->refresh_rotate(st, NULL, tid, g, 0, "other", "h0", "h-x", now + 60, now, &out),
           PC_ERR_NOT_FOUND);
    EXPECT(ops->refresh_rotate(st, NULL, tid, g, 0, "cli", "h-wrong", "h-x", now + 60, now, &out),
           PC_ERR_NOT_FOUND);
    assert_int_equal(generation_of(GET(PC_ENT_REFRESH, tid, g)), 0);
    OK(rotate(tid, g, 0, now, &out));
    assert_string_equal(json_string_value(json_object_get(out, "id")), g);
    assert_int_equal(generation_of(out), 1);
    /* RFC 6749 §6: the scope of a refresh token never changes */
    assert_string_equal(json_string_value(json_object_get(out, "scope")), "openid offline_access");
    assert_int_equal(json_integer_value(json_object_get(out, "expires_at")), now + 7200);
    assert_int_equal(json_integer_value(json_object_get(out, "rotated_at")), now);
    assert_string_equal(json_string_value(json_object_get(out, "secret_hash")), "h-next");
    assert_int_equal(generation_of(GET(PC_ENT_REFRESH, tid, g)), 1);
    /* generation 0 again: a replay, answered with the record */
    EXPECT(rotate(tid, g, 0, now + 1, &out), PC_ERR_CONFLICT);
    assert_non_null(out);
    assert_int_equal(generation_of(out), 1);
    OK(rotate(tid, g, 1, now + 1, &out));
    assert_int_equal(generation_of(out), 2);
    /* a generation the grant never reached, an expired grant, no grant */
    EXPECT(rotate(tid, g, 5, now + 1, &out), PC_ERR_NOT_FOUND);
    EXPECT(rotate(tid, old, 0, now, &out), PC_ERR_NOT_FOUND);
    EXPECT(rotate(tid, new_id(missing, "rg"), 0, now, &out), PC_ERR_NOT_FOUND);
}

static int64_t revoked_at(const char *t, const char *id, const char *file, int line)
{
    json_t *v =
        json_object_get(get_rec(PC_ENT_REFRESH, t, "id", id, PC_OK, file, line), "revoked_at");

    return json_is_null(v) ? -1 : json_integer_value(v);
}

#define REVOKED_AT(tid, id) revoked_at((tid), (id), __FILE__, __LINE__)

static void refresh_revoke_by_grant_session_user(void **state)
{
    char u1[ID_LEN], u2[ID_LEN], a[ID_LEN], b[ID_LEN], c[ID_LEN];
    json_t *out = NULL;

    make_user(u1, tid, "quinn", NULL);
    make_user(u2, tid, "quade", NULL);
    make_refresh(new_id(a, "rg"), tid, u1, "sid1", now + 3600);
    make_refresh(new_id(b, "rg"), tid, u1, "sid1", now + 3600);
    make_refresh(new_id(c, "rg"), tid, u2, "sid2", now + 3600);
    SET(OUT(ops->refresh_revoke(st, NULL, tid, "id", a, now, &out_)), a);
    assert_int_equal(REVOKED_AT(tid, a), now);
    assert_int_equal(REVOKED_AT(tid, b), -1);
    /* a revoked grant never rotates, nor counts as a replay */
    EXPECT(rotate(tid, a, 0, now, &out), PC_ERR_NOT_FOUND);
    /* what is already revoked is not reported again */
    SET(OUT(ops->refresh_revoke(st, NULL, tid, "sid", "sid1", now + 1, &out_)), b);
    assert_int_equal(REVOKED_AT(tid, a), now);
    OK(ops->refresh_revoke(st, NULL, tid, "user_id", u2, now, NULL));
    assert_int_equal(REVOKED_AT(tid, c), now);
    /* only the documented columns */
    assert_int_not_equal(ops->refresh_revoke(st, NULL, tid, "scope", "openid", now, NULL), PC_OK);
    assert_int_not_equal(ops->refresh_revoke(st, NULL, tid, "1 = 1 OR id", "x", now, NULL), PC_OK);
}

static json_t *ended_at(const char *t, const char *sid)
{
    return json_object_get(GET(PC_ENT_SESSION, t, sid), "ended_at");
}

static void sessions_end_ends_open_sessions(void **state)
{
    char u1[ID_LEN], u2[ID_LEN], s[4][ID_LEN];

    make_user(u1, tid, "rita", NULL);
    make_user(u2, tid, "sam", NULL);
    for (int i = 0; i < 4; i++)
        make_session(new_id(s[i], "ses"), tid, i == 3 ? u2 : u1, i == 2);
    assert_true(json_is_array(json_object_get(GET(PC_ENT_SESSION, tid, s[0]), "amr")));
    SET(OUT(ops->sessions_end(st, NULL, tid, u1, now, &out_)), s[0], s[1]);
    assert_int_equal(json_integer_value(ended_at(tid, s[1])), now);
    assert_int_equal(json_integer_value(ended_at(tid, s[2])), now - 60);
    assert_true(json_is_null(ended_at(tid, s[3])));
    EMPTY(OUT(ops->sessions_end(st, NULL, tid, u1, now, &out_)));
}

/* The highest seq in the feed now. */
static int64_t last_seq(void)
{
    pc_change buf[64];
    size_t n = 0;
    int64_t seq = 0;

    do {
        OK(ops->change_since(st, seq, buf, 64, &n));
        if (n > 0)
            seq = buf[n - 1].seq;
    } while (n == 64);
    return seq;
}

static void add_change(const char *t, const char *kind, const char *key, int64_t expires_at)
{
    pc_change c = {.at = now, .expires_at = expires_at};

    snprintf(c.tenant_id, sizeof c.tenant_id, "%.39s", t);
    snprintf(c.kind, sizeof c.kind, "%.15s", kind);
    snprintf(c.key, sizeof c.key, "%.127s", key);
    OK(ops->change_add(st, NULL, &c));
}

static void change_feed_order_and_purge(void **state)
{
    pc_change buf[8];
    size_t n = 0;
    int64_t base = last_seq();

    add_change(tid, "jti", "jti-1", now + 600);
    add_change(tid, "sid", "sid-1", now - 10); /* already expired */
    add_change(tid, "perm", "role-1", now + 600);
    OK(ops->change_since(st, base, buf, 8, &n));
    assert_int_equal(n, 3);
    assert_true(buf[0].seq > base && buf[0].seq < buf[1].seq && buf[1].seq < buf[2].seq);
    assert_string_equal(buf[0].tenant_id, tid);
    assert_string_equal(buf[0].kind, "jti");
    assert_string_equal(buf[0].key, "jti-1");
    assert_int_equal(buf[0].at, now);
    assert_int_equal(buf[0].expires_at, now + 600);
    assert_string_equal(buf[2].kind, "perm");
    OK(ops->change_since(st, buf[0].seq, buf, 1, &n));
    assert_int_equal(n, 1);
    assert_string_equal(buf[0].key, "sid-1");
    OK(ops->change_purge(st, now));
    OK(ops->change_since(st, base, buf, 8, &n));
    assert_int_equal(n, 2);
    assert_string_equal(buf[0].key, "jti-1");
    assert_string_equal(buf[1].key, "role-1");
}

static void removing_a_tenant_removes_its_records(void **state)
{
    char uid[ID_LEN], rid[ID_LEN], gid[ID_LEN], sid[ID_LEN];
    pc_store_query q = {.limit = 10};

    make_user(uid, tid, "tom", "tom@example.com");
    make_role(rid, tid, "r", json_pack("[s]", "p"));
    make_group(gid, tid, "g");
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, uid, rid));
    OK(ops->link_add(st, NULL, PC_LINK_GROUP_MEMBER, tid, gid, uid));
    make_session(new_id(sid, "ses"), tid, uid, 0);
    OK(ops->remove(st, NULL, PC_ENT_TENANT, NULL, tid));
    ABSENT(PC_ENT_TENANT, NULL, tid);
    ABSENT(PC_ENT_USER, tid, uid);
    ABSENT(PC_ENT_ROLE, tid, rid);
    ABSENT(PC_ENT_GROUP, tid, gid);
    ABSENT(PC_ENT_SESSION, tid, sid);
    EMPTY(OUT(ops->list(st, NULL, PC_ENT_USER, tid, &q, &out_)));
    EMPTY(perms_of(tid, uid));
}

typedef struct racer {
    pthread_t thread;
    const char *tid;
    const char *id;
    pc_status rc;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    json_t *out = NULL;

    r->rc =
        ops->refresh_rotate(st, NULL, r->tid, r->id, 0, "cli", "h0", "h-race", now + 60, now, &out);
    json_decref(out);
    return NULL;
}

/* Concurrent redemptions of one refresh token: exactly one wins, the rest see a replay. */
static void refresh_rotate_race_has_one_winner(void **state)
{
    char uid[ID_LEN], rt[ID_LEN];
    racer r[RACERS];
    int won = 0, replayed = 0;

    make_user(uid, tid, "uma", NULL);
    make_refresh(new_id(rt, "rg"), tid, uid, NULL, now + 3600);
    for (int i = 0; i < RACERS; i++) {
        r[i] = (racer){.tid = tid, .id = rt, .rc = PC_ERR_INTERNAL};
        assert_int_equal(pthread_create(&r[i].thread, NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(r[i].thread, NULL);
        won += r[i].rc == PC_OK;
        replayed += r[i].rc == PC_ERR_CONFLICT;
        if (r[i].rc != PC_OK && r[i].rc != PC_ERR_CONFLICT)
            print_error("racer %d: %s\n", i, status_name(r[i].rc));
    }
    assert_int_equal(won, 1);
    assert_int_equal(replayed, RACERS - 1);
}

static void make_code(const char *id, const char *t, const char *uid, int64_t expires_at)
{
    INSERT(PC_ENT_CODE, keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:n,s:s,s:s,s:s,s:[s],s:I,s:I,s:I}",
                                       "id", id, "tenant_id", t, "client_id", "c1", "redirect_uri",
                                       "https://rp.example/cb", "code_challenge",
                                       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "nonce",
                                       "user_id", uid, "sid", "sid1", "scope", "openid", "amr",
                                       "pwd", "auth_time", (json_int_t)now, "created_at",
                                       (json_int_t)now, "expires_at", (json_int_t)expires_at)));
}

static pc_status take_code(const char *t, const char *id, int64_t at, json_t **out)
{
    pc_status rc;

    *out = NULL;
    rc = ops->code_take(st, NULL, t, id, at, out);
    keep(*out);
    return rc;
}

static void code_take_is_single_use(void **state)
{
    char t2[ID_LEN], uid[ID_LEN], code[ID_LEN], old[ID_LEN], missing[ID_LEN];
    json_t *out = NULL, *patch;

    make_tenant(t2);
    make_user(uid, tid, "rosa", NULL);
    make_code(new_id(code, "ac"), tid, uid, now + 60);
    make_code(new_id(old, "ac"), tid, uid, now - 1);
    EXPECT(take_code(t2, code, now, &out), PC_ERR_NOT_FOUND);
    OK(take_code(tid, code, now, &out));
    assert_string_equal(json_string_value(json_object_get(out, "redirect_uri")),
                        "https://rp.example/cb");
    assert_int_equal(json_integer_value(json_object_get(out, "used_at")), now);
    assert_true(json_is_null(json_object_get(out, "nonce")));
    /* what the redemption issued is recorded; a second take is a replay that returns it */
    patch = json_pack("{s:s,s:s,s:I}", "family_id", "fam9", "access_jti", "jti9", "access_exp",
                      (json_int_t)now + 900);
    OK(ops->update(st, NULL, PC_ENT_CODE, tid, code, patch, NULL, 0));
    json_decref(patch);
    EXPECT(take_code(tid, code, now + 1, &out), PC_ERR_CONFLICT);
    assert_string_equal(json_string_value(json_object_get(out, "family_id")), "fam9");
    assert_string_equal(json_string_value(json_object_get(out, "access_jti")), "jti9");
    EXPECT(take_code(tid, old, now, &out), PC_ERR_NOT_FOUND);
    EXPECT(take_code(tid, new_id(missing, "ac"), now, &out), PC_ERR_NOT_FOUND);
}

/* Schema 3: mfa_tokens round-trip, count attempts, are used up, and expire. */
static void mfa_token_crud(void **state)
{
    char uid[ID_LEN], id[ID_LEN], t2[ID_LEN];
    json_t *rec, *patch;

    make_tenant(t2);
    make_user(uid, tid, "mfa-user", NULL);
    /* idp: the directory of a federated password (schema 17) */
    rec = keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:[ss],s:i,s:s,s:I,s:I,s:n,s:I,s:s}", "id",
                         new_id(id, "mt"), "tenant_id", tid, "user_id", uid, "client_id", "cli",
                         "scope", "openid", "methods", "totp", "recovery_code", "attempts", 0, "ip",
                         "127.0.0.1", "created_at", (json_int_t)now, "expires_at",
                         (json_int_t)now + 300, "used_at", "updated_at", (json_int_t)now, "idp",
                         "corp"));
    INSERT(PC_ENT_MFA_TOKEN, rec);
    EXPECT_JSON(GET(PC_ENT_MFA_TOKEN, tid, id), rec);
    ABSENT(PC_ENT_MFA_TOKEN, t2, id);
    patch = keep(json_pack("{s:i,s:I}", "attempts", 3, "used_at", (json_int_t)now + 1));
    OK(ops->update(st, NULL, PC_ENT_MFA_TOKEN, tid, id, patch, NULL, 0));
    json_object_update(rec, patch);
    EXPECT_JSON(GET(PC_ENT_MFA_TOKEN, tid, id), rec);
    /* the user id, client and expiry are fixed */
    EXPECT(ops->update(st, NULL, PC_ENT_MFA_TOKEN, tid, id,
                       keep(json_pack("{s:s}", "client_id", "x")), NULL, 0),
           PC_ERR_INVALID);
    OK(ops->expire(st, PC_ENT_MFA_TOKEN, "expires_at", now + 301));
    ABSENT(PC_ENT_MFA_TOKEN, tid, id);
}

/* Schema 5: a session's consents are {client_id, scope} objects, kept as written. */
static void session_consents_keep_scopes(void **state)
{
    char uid[ID_LEN], sid[ID_LEN];
    json_t *patch = keep(json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "consents", "client_id", "c1",
                                   "scope", "openid profile", "client_id", "c2", "scope", ""));

    make_user(uid, tid, "vera", NULL);
    make_session(new_id(sid, "ses"), tid, uid, 0);
    OK(ops->update(st, NULL, PC_ENT_SESSION, tid, sid, patch, NULL, 0));
    EXPECT_JSON(json_object_get(GET(PC_ENT_SESSION, tid, sid), "consents"),
                json_object_get(patch, "consents"));
}

static void make_nonce(const char *id, const char *t, int64_t expires_at)
{
    INSERT(PC_ENT_CONSENT_NONCE,
           keep(json_pack("{s:s,s:s,s:I,s:I}", "id", id, "tenant_id", t, "created_at",
                          (json_int_t)now, "expires_at", (json_int_t)expires_at)));
}

typedef struct taker {
    pthread_t thread;
    const char *id;
    pc_status rc;
} taker;

static void *take_nonce(void *arg)
{
    taker *k = arg;

    k->rc = ops->remove(st, NULL, PC_ENT_CONSENT_NONCE, tid, k->id);
    return NULL;
}

/* Schema 5: a consent form's nonce is used up by removing it; only one removal succeeds. */
static void consent_nonce_is_used_once(void **state)
{
    char t2[ID_LEN], id[ID_LEN], old[ID_LEN], raced[ID_LEN];
    taker k[RACERS];
    int won = 0, lost = 0;

    make_tenant(t2);
    make_nonce(new_id(id, "cn"), tid, now + 1800);
    make_nonce(new_id(old, "cn"), tid, now - 1);
    GET(PC_ENT_CONSENT_NONCE, tid, id);
    EXPECT(ops->remove(st, NULL, PC_ENT_CONSENT_NONCE, t2, id), PC_ERR_NOT_FOUND);
    OK(ops->remove(st, NULL, PC_ENT_CONSENT_NONCE, tid, id));
    EXPECT(ops->remove(st, NULL, PC_ENT_CONSENT_NONCE, tid, id), PC_ERR_NOT_FOUND);
    OK(ops->expire(st, PC_ENT_CONSENT_NONCE, "expires_at", now));
    ABSENT(PC_ENT_CONSENT_NONCE, tid, old);
    make_nonce(new_id(raced, "cn"), tid, now + 1800);
    for (int i = 0; i < RACERS; i++) {
        k[i] = (taker){.id = raced, .rc = PC_ERR_INTERNAL};
        assert_int_equal(pthread_create(&k[i].thread, NULL, take_nonce, &k[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(k[i].thread, NULL);
        won += k[i].rc == PC_OK;
        lost += k[i].rc == PC_ERR_NOT_FOUND;
    }
    assert_int_equal(won, 1);
    assert_int_equal(lost, RACERS - 1);
}

/* Schema 7: a policy round-trips its lists, its principals and its condition; names are unique per tenant. */
static void policy_crud(void **state)
{
    char pid[ID_LEN], other[ID_LEN], t2[ID_LEN], conflict[64] = "";
    json_t *pol, *dup, *patch, *list;
    pc_store_query q = {.limit = 10, .filters = NULL};

    pol = keep(json_pack("{s:s,s:s,s:s,s:n,s:s,s:[ss],s:{s:[s],s:[],s:[]},s:{s:[ss]},s:I,s:I}",
                         "id", new_id(pid, "pol"), "tenant_id", tid, "name", "owner-may-update",
                         "description", "effect", "allow", "actions", "todo:update", "todo:delete",
                         "principals", "roles", "editor", "groups", "users", "condition", "eq",
                         "resource.properties.ownerID", "subject.id", "created_at", (json_int_t)now,
                         "updated_at", (json_int_t)now));
    INSERT(PC_ENT_POLICY, pol);
    EXPECT_JSON(GET(PC_ENT_POLICY, tid, pid), pol);
    EXPECT_JSON(GET_BY(PC_ENT_POLICY, tid, "name", "owner-may-update"), pol);
    dup = keep(json_deep_copy(pol));
    json_object_set_new(dup, "id", json_string(new_id(other, "pol")));
    EXPECT(ops->insert(st, NULL, PC_ENT_POLICY, dup, conflict, sizeof conflict), PC_ERR_CONFLICT);
    assert_string_equal(conflict, "name");
    make_tenant(t2);
    json_object_set_new(dup, "tenant_id", json_string(t2));
    INSERT(PC_ENT_POLICY, dup); /* the same name in another tenant */
    ABSENT(PC_ENT_POLICY, t2, pid);
    patch = keep(json_pack("{s:s,s:n,s:I}", "effect", "deny", "condition", "updated_at",
                           (json_int_t)(now + 1)));
    OK(ops->update(st, NULL, PC_ENT_POLICY, tid, pid, patch, NULL, 0));
    json_object_update(pol, patch);
    EXPECT_JSON(GET(PC_ENT_POLICY, tid, pid), pol);
    list = OUT(ops->list(st, NULL, PC_ENT_POLICY, tid, &q, &out_));
    assert_int_equal(json_array_size(list), 1);
    OK(ops->remove(st, NULL, PC_ENT_POLICY, tid, pid));
    ABSENT(PC_ENT_POLICY, tid, pid);
}

static int fresh_tenant(void **state)
{
    make_tenant(tid);
    return 0;
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, fresh_tenant, release)

static const struct CMUnitTest tests[] = {
    CASE(migrate_twice_is_a_no_op),
    CASE(tenant_crud),
    CASE(user_crud),
    CASE(application_crud),
    CASE(role_crud),
    CASE(unique_conflicts_name_the_column),
    CASE(tenants_are_isolated),
    CASE(hostile_text_round_trips_verbatim),
    CASE(list_paginates_by_id),
    CASE(list_filters),
    CASE(rollback_leaves_nothing),
    CASE(commit_keeps),
    CASE(rollback_after_conflict),
    CASE(commit_after_conflict_is_truthful),
    CASE(transaction_fails_after_conflict),
    CASE(links_and_effective_permissions),
    CASE(links_are_tenant_scoped),
    CASE(refresh_rotate_advances_once),
    CASE(refresh_revoke_by_grant_session_user),
    CASE(sessions_end_ends_open_sessions),
    CASE(change_feed_order_and_purge),
    CASE(removing_a_tenant_removes_its_records),
    CASE(refresh_rotate_race_has_one_winner),
    CASE(code_take_is_single_use),
    CASE(mfa_token_crud),
    CASE(refresh_rotate_keeps_the_replaced_hash),
    CASE(refresh_grace_accepted_within_the_window),
    CASE(refresh_grace_refused_after_the_window),
    CASE(refresh_grace_race_leaves_one_chain),
    CASE(session_last_used_round_trips),
    CASE(session_consents_keep_scopes),
    CASE(consent_nonce_is_used_once),
    CASE(user_names_ignore_case),
    CASE(user_names_fold_beyond_ascii),
    CASE(user_profile_columns_round_trip),
    CASE(user_list_by_role_group_status_and_time),
    CASE(count_matches_list),
    CASE(application_people_columns),
    CASE(link_token_is_used_once),
    CASE(invitations_by_status_at_a_time),
    CASE(policy_crud),
    CASE(webhook_claim_leases_one_message),
    CASE(webhook_lease_expiry_lets_another_node_claim),
    CASE(webhook_claim_race_gives_each_message_once),
    CASE(webhook_disabled_or_removed_is_not_claimed),
    /* issue #18 */
    CASE(used_jti_is_refused_twice),
    CASE(pushed_request_is_taken_once),
    CASE(application_key_columns_round_trip),
    CASE(logout_message_is_claimed_once),
    CASE(organization_slug_is_unique_per_tenant),
    CASE(membership_pair_is_unique_and_filtered),
    CASE(removing_an_organization_removes_its_memberships),
    CASE(org_token_is_used_once),
    CASE(org_id_on_codes_refresh_grants_and_sessions),
    CASE(identity_provider_crud_and_unique_name),
    CASE(identity_subject_is_unique_per_provider),
    CASE(identity_goes_with_its_user_and_provider),
    CASE(fed_state_is_used_once),
    CASE(consent_is_one_per_user_and_client), /* schema 14 */
    CASE(device_code_found_by_user_code),
    /* schema 16: RFC 9449 §10 */
    CASE(code_dpop_jkt_round_trips),
    /* user search (issue 20) */
    CASE(user_search_matches_substrings_without_case),
    CASE(user_search_follows_updates_and_removals),
    CASE(user_search_stays_in_its_tenant),
    CASE(user_search_pages_in_id_order),
    CASE(list_filter_takes_any_of),
    CASE(link_list_many_is_link_list_per_id),
};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLUGIN_SO URI\n", argv[0]);
        return 2;
    }
    plugin_path = argv[1];
    store_uri = argv[2];
    return cmocka_run_group_tests_name(store_uri, tests, group_setup, group_teardown);
}
