/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 12 (organizations): slugs, memberships, organization tokens, org_id columns. */
#include "contract_support.h"
#include "contract_orgs.h"

static json_t *org_rec(const char *id, const char *t, const char *slug)
{
    return keep(json_pack("{s:s,s:s,s:s,s:s,s:n,s:I,s:I}", "id", id, "tenant_id", t, "slug", slug,
                          "name", "Acme", "logo_url", "created_at", (json_int_t)now, "updated_at",
                          (json_int_t)now));
}

static json_t *member_rec(const char *id, const char *t, const char *org, const char *uid,
                          const char *role_id)
{
    return keep(json_pack("{s:s,s:s,s:s,s:s,s:[s],s:I,s:I}", "id", id, "tenant_id", t,
                          "organization_id", org, "user_id", uid, "roles", role_id, "created_at",
                          (json_int_t)now, "updated_at", (json_int_t)now));
}

static size_t members_where(const char *column, const char *value)
{
    pc_store_query q = {.filters = keep(json_pack("{s:s}", column, value)), .limit = 50};

    return json_array_size(OUT(ops->list(st, NULL, PC_ENT_MEMBERSHIP, tid, &q, &out_)));
}

void organization_slug_is_unique_per_tenant(void **state)
{
    char oid[ID_LEN], oid2[ID_LEN], other[ID_LEN], conflict[64] = "";
    json_t *o;

    (void)state;
    o = org_rec(new_id(oid, "org"), tid, "acme");
    INSERT(PC_ENT_ORGANIZATION, o);
    EXPECT_JSON(GET_BY(PC_ENT_ORGANIZATION, tid, "slug", "acme"), o);
    EXPECT(ops->insert(st, NULL, PC_ENT_ORGANIZATION, org_rec(new_id(oid2, "org"), tid, "acme"),
                       conflict, sizeof conflict),
           PC_ERR_CONFLICT);
    assert_string_equal(conflict, "slug");
    /* another tenant may use the same slug, and does not see this one */
    make_tenant(other);
    INSERT(PC_ENT_ORGANIZATION, org_rec(oid2, other, "acme"));
    get_rec(PC_ENT_ORGANIZATION, other, "id", oid, PC_ERR_NOT_FOUND, __FILE__, __LINE__);
    /* the slug may change */
    OK(ops->update(
        st, NULL, PC_ENT_ORGANIZATION, tid, oid,
        keep(json_pack("{s:s,s:s}", "slug", "acme-eu", "logo_url", "https://img.example/acme.png")),
        NULL, 0));
    assert_string_equal(json_string_value(json_object_get(
                            GET_BY(PC_ENT_ORGANIZATION, tid, "slug", "acme-eu"), "logo_url")),
                        "https://img.example/acme.png");
}

void membership_pair_is_unique_and_filtered(void **state)
{
    char o1[ID_LEN], o2[ID_LEN], u1[ID_LEN], u2[ID_LEN], rid[ID_LEN], m[ID_LEN];

    (void)state;
    INSERT(PC_ENT_ORGANIZATION, org_rec(new_id(o1, "org"), tid, "one"));
    INSERT(PC_ENT_ORGANIZATION, org_rec(new_id(o2, "org"), tid, "two"));
    make_user(u1, tid, "ann", NULL);
    make_user(u2, tid, "bob", NULL);
    make_role(rid, tid, "billing", json_pack("[s]", "invoices:read"));
    INSERT(PC_ENT_MEMBERSHIP, member_rec(new_id(m, "mem"), tid, o1, u1, rid));
    INSERT(PC_ENT_MEMBERSHIP, member_rec(new_id(m, "mem"), tid, o2, u1, rid));
    INSERT(PC_ENT_MEMBERSHIP, member_rec(new_id(m, "mem"), tid, o1, u2, rid));
    /* one membership per user and organization */
    EXPECT(ops->insert(st, NULL, PC_ENT_MEMBERSHIP, member_rec(new_id(m, "mem"), tid, o1, u1, rid),
                       NULL, 0),
           PC_ERR_CONFLICT);
    assert_int_equal(members_where("user_id", u1), 2);
    assert_int_equal(members_where("organization_id", o1), 2);
    assert_int_equal(members_where("organization_id", o2), 1);
}

void removing_an_organization_removes_its_memberships(void **state)
{
    char o1[ID_LEN], o2[ID_LEN], u1[ID_LEN], rid[ID_LEN], m1[ID_LEN], m2[ID_LEN];

    (void)state;
    INSERT(PC_ENT_ORGANIZATION, org_rec(new_id(o1, "org"), tid, "gone"));
    INSERT(PC_ENT_ORGANIZATION, org_rec(new_id(o2, "org"), tid, "kept"));
    make_user(u1, tid, "cy", NULL);
    make_role(rid, tid, "viewer", json_pack("[s]", "docs:read"));
    INSERT(PC_ENT_MEMBERSHIP, member_rec(new_id(m1, "mem"), tid, o1, u1, rid));
    INSERT(PC_ENT_MEMBERSHIP, member_rec(new_id(m2, "mem"), tid, o2, u1, rid));
    OK(ops->remove(st, NULL, PC_ENT_ORGANIZATION, tid, o1));
    ABSENT(PC_ENT_ORGANIZATION, tid, o1);
    ABSENT(PC_ENT_MEMBERSHIP, tid, m1);
    GET(PC_ENT_MEMBERSHIP, tid, m2);
}

void org_token_is_used_once(void **state)
{
    char id[ID_LEN];
    json_t *rec;

    (void)state;
    rec = keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:I,s:I,s:I}", "id", new_id(id, "otk"),
                         "tenant_id", tid, "user_id", "u", "client_id", "cli", "scope", "openid",
                         "sid", "s1", "amr", "pwd", "auth_time", (json_int_t)now, "created_at",
                         (json_int_t)now, "expires_at", (json_int_t)(now + 300)));
    INSERT(PC_ENT_ORG_TOKEN, rec);
    EXPECT_JSON(GET(PC_ENT_ORG_TOKEN, tid, id), rec);
    OK(ops->remove(st, NULL, PC_ENT_ORG_TOKEN, tid, id));
    /* a second use finds nothing to remove */
    EXPECT(ops->remove(st, NULL, PC_ENT_ORG_TOKEN, tid, id), PC_ERR_NOT_FOUND);
}

void org_id_on_codes_refresh_grants_and_sessions(void **state)
{
    char uid[ID_LEN], oid[ID_LEN], rid[ID_LEN], sid[ID_LEN], other[ID_LEN];
    pc_store_query q = {.limit = 10};

    (void)state;
    make_user(uid, tid, "dee", NULL);
    new_id(oid, "org");
    make_refresh(new_id(rid, "rfr"), tid, uid, NULL, now + 600);
    make_refresh(new_id(other, "rfr"), tid, uid, NULL, now + 600);
    /* org_id is fixed at insert for grants; absent reads as null */
    assert_true(json_is_null(json_object_get(GET(PC_ENT_REFRESH, tid, rid), "org_id")));
    make_session(new_id(sid, "ses"), tid, uid, 0);
    OK(ops->update(st, NULL, PC_ENT_SESSION, tid, sid, keep(json_pack("{s:s}", "org_id", oid)),
                   NULL, 0));
    assert_string_equal(json_string_value(json_object_get(GET(PC_ENT_SESSION, tid, sid), "org_id")),
                        oid);
    q.filters = keep(json_pack("{s:s,s:s}", "user_id", uid, "org_id", oid));
    assert_int_equal(json_array_size(OUT(ops->list(st, NULL, PC_ENT_SESSION, tid, &q, &out_))), 1);
    assert_int_equal(json_array_size(OUT(ops->list(st, NULL, PC_ENT_REFRESH, tid, &q, &out_))), 0);
}
