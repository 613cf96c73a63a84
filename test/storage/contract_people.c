/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 7 (people): case-insensitive names, profile columns, user filters, count. */
#include "contract_support.h"
#include "contract_people.h"

static void expect_conflict_on(json_t *rec, const char *column, const char *file, int line)
{
    char conflict[64] = "";

    expect_status(ops->insert(st, NULL, PC_ENT_USER, rec, conflict, sizeof conflict),
                  PC_ERR_CONFLICT, "insert", file, line);
    if (strcmp(conflict, column) != 0) {
        print_error("conflict column \"%s\", expected \"%s\"\n", conflict, column);
        _fail(file, line);
    }
}

#define CONFLICT_ON(rec, column) expect_conflict_on((rec), (column), __FILE__, __LINE__)

void user_names_ignore_case(void **state)
{
    char uid[ID_LEN], id[ID_LEN];
    json_t *u;

    (void)state;
    u = make_user(uid, tid, "Alice", "alice@example.com");
    /* get() by username or email ignores case */
    EXPECT_JSON(GET_BY(PC_ENT_USER, tid, "username", "aLICE"), u);
    EXPECT_JSON(GET_BY(PC_ENT_USER, tid, "email", "ALICE@Example.COM"), u);
    /* a second user differing only in case conflicts, naming the column */
    CONFLICT_ON(user_rec(new_id(id, "usr"), tid, "ALICE", "other@example.com", NULL), "username");
    CONFLICT_ON(user_rec(new_id(id, "usr"), tid, "alice2", "Alice@Example.com", NULL), "email");
    /* filters ignore case too */
    assert_int_equal(json_array_size(OUT(ops->list(
                         st, NULL, PC_ENT_USER, tid,
                         &(pc_store_query){.filters = keep(json_pack("{s:s}", "username", "ALICE")),
                                           .limit = 10},
                         &out_))),
                     1);
}

/* Schema 10: beyond ASCII too, the same on every store (the fold is computed in C, not by SQL lower()). */
void user_names_fold_beyond_ascii(void **state)
{
    char uid[ID_LEN], other[ID_LEN], id[ID_LEN];
    json_t *u, *found, *patch;

    (void)state;
    u = make_user(uid, tid, "\u00c4rger", "stra\u00dfe@example.com"); /* Ärger, straße */
    EXPECT_JSON(GET_BY(PC_ENT_USER, tid, "username", "\u00e4RGER"), u);
    /* full case folding: ß matches SS */
    EXPECT_JSON(GET_BY(PC_ENT_USER, tid, "email", "STRASSE@example.com"), u);
    CONFLICT_ON(user_rec(new_id(id, "usr"), tid, "\u00e4rger", "x1@example.com", NULL), "username");
    CONFLICT_ON(user_rec(new_id(id, "usr"), tid, "x1", "Strasse@Example.com", NULL), "email");
    /* Greek final sigma and capital sigma are one letter once folded */
    make_user(other, tid, "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3", NULL);
    CONFLICT_ON(user_rec(new_id(id, "usr"), tid, "\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2",
                         NULL, NULL),
                "username");
    /* exact filters and the substring search compare folds too */
    assert_int_equal(
        json_array_size(OUT(ops->list(
            st, NULL, PC_ENT_USER, tid,
            &(pc_store_query){.filters = keep(json_pack("{s:s}", "username", "\u00c4RGER")),
                              .limit = 10},
            &out_))),
        1);
    found = OUT(ops->list(
        st, NULL, PC_ENT_USER, tid,
        &(pc_store_query){.filters = keep(json_pack("{s:s}", "q", "\u00e4rg")), .limit = 10},
        &out_));
    assert_int_equal(json_array_size(found), 1);
    /* a rename moves the fold: the old name is free again, the new one taken */
    patch = keep(json_pack("{s:s}", "username", "\u00d6lmann"));
    OK(ops->update(st, NULL, PC_ENT_USER, tid, uid, patch, NULL, 0));
    assert_string_equal(json_string_value(json_object_get(
                            GET_BY(PC_ENT_USER, tid, "username", "\u00f6LMANN"), "id")),
                        uid);
    make_user(id, tid, "\u00e4rger", NULL);
}

void user_profile_columns_round_trip(void **state)
{
    char uid[ID_LEN];
    json_t *u, *patch;

    (void)state;
    u = make_user(uid, tid, "ada", "ada@example.com");
    /* absent columns take their defaults: active, not verified */
    assert_string_equal(json_string_value(json_object_get(GET(PC_ENT_USER, tid, uid), "status")),
                        "active");
    patch = keep(json_pack("{s:s,s:s,s:s,s:s,s:I,s:b,s:{s:s,s:[s]},s:I}", "given_name", "Ada",
                           "family_name", "Lovelace", "picture", "https://img.example/a.png",
                           "status", "disabled", "disabled_until", (json_int_t)(now + 60),
                           "email_verified", 1, "attributes", "department", "ops", "tags", "x",
                           "last_login_at", (json_int_t)now));
    OK(ops->update(st, NULL, PC_ENT_USER, tid, uid, patch, NULL, 0));
    json_object_update(u, patch);
    EXPECT_JSON(GET(PC_ENT_USER, tid, uid), u);
}

static size_t matching(json_t *filters)
{
    pc_store_query q = {.filters = keep(filters), .limit = 100};

    return json_array_size(OUT(ops->list(st, NULL, PC_ENT_USER, tid, &q, &out_)));
}

void user_list_by_role_group_status_and_time(void **state)
{
    char direct[ID_LEN], member[ID_LEN], frozen[ID_LEN], off[ID_LEN], rid[ID_LEN], gid[ID_LEN];
    char other[ID_LEN];

    (void)state;
    make_user(direct, tid, "direct", NULL);
    make_user(member, tid, "member", NULL);
    make_user(frozen, tid, "frozen", NULL);
    make_user(off, tid, "off", NULL);
    make_role(rid, tid, "ops", json_pack("[s]", "ledger:read"));
    make_role(other, tid, "unused", json_pack("[s]", "ledger:write"));
    make_group(gid, tid, "team");
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, direct, rid));
    OK(ops->link_add(st, NULL, PC_LINK_GROUP_ROLE, tid, gid, rid));
    OK(ops->link_add(st, NULL, PC_LINK_GROUP_MEMBER, tid, gid, member));
    OK(ops->update(st, NULL, PC_ENT_USER, tid, frozen,
                   keep(json_pack("{s:I}", "disabled_until", (json_int_t)(now + 600))), NULL, 0));
    OK(ops->update(st, NULL, PC_ENT_USER, tid, off, keep(json_pack("{s:s}", "status", "disabled")),
                   NULL, 0));
    /* a role's holders, directly and through a group; a group's members */
    assert_int_equal(matching(json_pack("{s:s}", "role_id", rid)), 2);
    assert_int_equal(matching(json_pack("{s:s}", "role_id", other)), 0);
    assert_int_equal(matching(json_pack("{s:s}", "group_id", gid)), 1);
    /* status at a time: a freeze counts until it ends */
    assert_int_equal(matching(json_pack("{s:I}", "active_at", (json_int_t)now)), 2);
    assert_int_equal(matching(json_pack("{s:I}", "disabled_at", (json_int_t)now)), 2);
    assert_int_equal(matching(json_pack("{s:I}", "active_at", (json_int_t)(now + 601))), 3);
    /* creation time, both bounds */
    assert_int_equal(matching(json_pack("{s:I}", "created_before", (json_int_t)now)), 0);
    assert_int_equal(matching(json_pack("{s:I}", "created_before", (json_int_t)(now + 1))), 4);
    assert_int_equal(matching(json_pack("{s:I}", "created_at>=", (json_int_t)(now + 1))), 0);
}

void count_matches_list(void **state)
{
    char id[ID_LEN];
    int64_t n = -1;

    (void)state;
    make_user(id, tid, "one", NULL);
    make_user(id, tid, "two", NULL);
    OK(ops->update(st, NULL, PC_ENT_USER, tid, id,
                   keep(json_pack("{s:I}", "deleted_at", (json_int_t)now)), NULL, 0));
    assert_true(ops->base.struct_size >= offsetof(pc_storage_ops, count) + sizeof ops->count);
    OK(ops->count(st, NULL, PC_ENT_USER, tid, NULL, &n));
    assert_int_equal(n, 2);
    OK(ops->count(st, NULL, PC_ENT_USER, tid, keep(json_pack("{s:n}", "deleted_at")), &n));
    assert_int_equal(n, 1);
    /* tenant-scoped */
    OK(ops->count(st, NULL, PC_ENT_ROLE, tid, NULL, &n));
    assert_int_equal(n, 0);
}

void application_people_columns(void **state)
{
    char id[ID_LEN];
    json_t *app = app_rec(new_id(id, "app"), tid, "console", 1), *patch;

    (void)state;
    INSERT(PC_ENT_APPLICATION, app);
    patch = keep(json_pack("{s:b,s:s,s:s}", "internal", 1, "access_token_alg", "EdDSA",
                           "id_token_signed_response_alg", "PS256"));
    OK(ops->update(st, NULL, PC_ENT_APPLICATION, tid, id, patch, NULL, 0));
    json_object_update(app, patch);
    EXPECT_JSON(GET(PC_ENT_APPLICATION, tid, id), app);
    assert_int_equal(
        json_array_size(OUT(ops->list(
            st, NULL, PC_ENT_APPLICATION, tid,
            &(pc_store_query){.filters = keep(json_pack("{s:b}", "internal", 0)), .limit = 10},
            &out_))),
        0);
}

void link_token_is_used_once(void **state)
{
    char uid[ID_LEN], id[ID_LEN];
    json_t *rec;

    (void)state;
    make_user(uid, tid, "linked", "linked@example.com");
    new_id(id, "lnk");
    rec = keep(json_pack("{s:s,s:s,s:s,s:s,s:n,s:s,s:I,s:I}", "id", id, "tenant_id", tid, "kind",
                         "password_reset", "user_id", uid, "invitation_id", "email",
                         "linked@example.com", "created_at", (json_int_t)now, "expires_at",
                         (json_int_t)(now + 60)));
    INSERT(PC_ENT_LINK_TOKEN, rec);
    EXPECT_JSON(GET(PC_ENT_LINK_TOKEN, tid, id), rec);
    OK(ops->remove(st, NULL, PC_ENT_LINK_TOKEN, tid, id));
    EXPECT(ops->remove(st, NULL, PC_ENT_LINK_TOKEN, tid, id), PC_ERR_NOT_FOUND);
    /* expire() removes what has expired */
    json_object_set_new(rec, "expires_at", json_integer(now - 1));
    INSERT(PC_ENT_LINK_TOKEN, rec);
    OK(ops->expire(st, PC_ENT_LINK_TOKEN, "expires_at", now));
    ABSENT(PC_ENT_LINK_TOKEN, tid, id);
}

void invitations_by_status_at_a_time(void **state)
{
    char a[ID_LEN], b[ID_LEN], c[ID_LEN];
    pc_store_query q = {.limit = 10};

    (void)state;
    INSERT(PC_ENT_INVITATION,
           keep(json_pack("{s:s,s:s,s:s,s:n,s:[s],s:[],s:s,s:n,s:n,s:I,s:I,s:I}", "id",
                          new_id(a, "inv"), "tenant_id", tid, "email", "new@example.com", "name",
                          "roles", "ops", "groups", "status", "pending", "invited_by", "user_id",
                          "created_at", (json_int_t)now, "expires_at", (json_int_t)(now + 100),
                          "updated_at", (json_int_t)now)));
    INSERT(PC_ENT_INVITATION,
           keep(json_pack("{s:s,s:s,s:s,s:n,s:[],s:[],s:s,s:n,s:n,s:I,s:I,s:I}", "id",
                          new_id(b, "inv"), "tenant_id", tid, "email", "old@example.com", "name",
                          "roles", "groups", "status", "pending", "invited_by", "user_id",
                          "created_at", (json_int_t)now, "expires_at", (json_int_t)(now - 1),
                          "updated_at", (json_int_t)now)));
    INSERT(PC_ENT_INVITATION,
           keep(json_pack("{s:s,s:s,s:s,s:n,s:[],s:[],s:s,s:n,s:n,s:I,s:I,s:I}", "id",
                          new_id(c, "inv"), "tenant_id", tid, "email", "gone@example.com", "name",
                          "roles", "groups", "status", "revoked", "invited_by", "user_id",
                          "created_at", (json_int_t)now, "expires_at", (json_int_t)(now + 100),
                          "updated_at", (json_int_t)now)));
    q.filters = keep(json_pack("{s:I}", "pending_at", (json_int_t)now));
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(OUT(ops->list(st, NULL, PC_ENT_INVITATION, tid, &q, &out_)), 0), "id")),
        a);
    q.filters = keep(json_pack("{s:I}", "expired_at", (json_int_t)now));
    assert_int_equal(json_array_size(OUT(ops->list(st, NULL, PC_ENT_INVITATION, tid, &q, &out_))),
                     1);
    q.filters = keep(json_pack("{s:s}", "email", "NEW@example.com"));
    assert_int_equal(json_array_size(OUT(ops->list(st, NULL, PC_ENT_INVITATION, tid, &q, &out_))),
                     1);
}
