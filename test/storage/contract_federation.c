/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 10: identity providers, linked identities, federation state. */
#include "contract_support.h"
#include "contract_federation.h"

static json_t *make_idp(char *id, const char *t, const char *name)
{
    json_t *p = keep(json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s},s:b,s:b,s:[s],s:s,s:b,s:I,s:I}", "id", new_id(id, "idp"),
        "tenant_id", t, "name", name, "display_name", "Example", "kind", "oidc", "config", "issuer",
        "https://idp.example.com", "client_secret", "v1.sealed", "enabled", 1, "jit", 1,
        "default_roles", "viewer", "link_by_email", "never", "trust_mfa", 0, "created_at",
        (json_int_t)now, "updated_at", (json_int_t)now));

    INSERT(PC_ENT_IDENTITY_PROVIDER, p);
    return p;
}

static json_t *identity_rec(char *id, const char *t, const char *uid, const char *pid,
                            const char *subject)
{
    return keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id", new_id(id, "ident"), "tenant_id",
                          t, "user_id", uid, "provider_id", pid, "subject", subject, "email",
                          "a@example.com", "linked_at", (json_int_t)now));
}

void identity_provider_crud_and_unique_name(void **state)
{
    char pid[ID_LEN], other[ID_LEN];
    json_t *p = make_idp(pid, tid, "corp"), *dup;
    char conflict[64] = "";

    (void)state;
    EXPECT_JSON(GET(PC_ENT_IDENTITY_PROVIDER, tid, pid), p);
    EXPECT_JSON(GET_BY(PC_ENT_IDENTITY_PROVIDER, tid, "name", "corp"), p);
    dup = keep(json_deep_copy(p));
    json_object_set_new(dup, "id", json_string(new_id(other, "idp")));
    EXPECT(ops->insert(st, NULL, PC_ENT_IDENTITY_PROVIDER, dup, conflict, sizeof conflict),
           PC_ERR_CONFLICT);
    OK(ops->update(st, NULL, PC_ENT_IDENTITY_PROVIDER, tid, pid,
                   keep(json_pack("{s:b,s:s}", "enabled", 0, "link_by_email", "verified")), NULL,
                   0));
    assert_false(
        json_boolean_value(json_object_get(GET(PC_ENT_IDENTITY_PROVIDER, tid, pid), "enabled")));
    OK(ops->remove(st, NULL, PC_ENT_IDENTITY_PROVIDER, tid, pid));
    ABSENT(PC_ENT_IDENTITY_PROVIDER, tid, pid);
}

void identity_subject_is_unique_per_provider(void **state)
{
    char pid[ID_LEN], p2[ID_LEN], u1[ID_LEN], u2[ID_LEN], i1[ID_LEN], i2[ID_LEN];
    pc_store_query q = {.limit = 10};
    json_t *list;

    (void)state;
    make_idp(pid, tid, "corp");
    make_idp(p2, tid, "social");
    make_user(u1, tid, "ann", "ann@example.com");
    make_user(u2, tid, "ben", "ben@example.com");
    INSERT(PC_ENT_IDENTITY, identity_rec(i1, tid, u1, pid, "sub-1"));
    /* the same subject at the same provider for another user: a conflict */
    EXPECT(ops->insert(st, NULL, PC_ENT_IDENTITY, identity_rec(i2, tid, u2, pid, "sub-1"), NULL, 0),
           PC_ERR_CONFLICT);
    /* a second identity at one provider for one user: a conflict */
    EXPECT(ops->insert(st, NULL, PC_ENT_IDENTITY, identity_rec(i2, tid, u1, pid, "sub-2"), NULL, 0),
           PC_ERR_CONFLICT);
    /* the same subject at another provider is another identity */
    INSERT(PC_ENT_IDENTITY, identity_rec(i2, tid, u2, p2, "sub-1"));
    q.filters = keep(json_pack("{s:s,s:s}", "provider_id", pid, "subject", "sub-1"));
    list = OUT(ops->list(st, NULL, PC_ENT_IDENTITY, tid, &q, &out_));
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "user_id")), u1);
}

void identity_goes_with_its_user_and_provider(void **state)
{
    char pid[ID_LEN], p2[ID_LEN], uid[ID_LEN], i1[ID_LEN], i2[ID_LEN];

    (void)state;
    make_idp(pid, tid, "corp");
    make_idp(p2, tid, "social");
    make_user(uid, tid, "cleo", "cleo@example.com");
    INSERT(PC_ENT_IDENTITY, identity_rec(i1, tid, uid, pid, "s-1"));
    INSERT(PC_ENT_IDENTITY, identity_rec(i2, tid, uid, p2, "s-2"));
    OK(ops->remove(st, NULL, PC_ENT_IDENTITY_PROVIDER, tid, pid));
    ABSENT(PC_ENT_IDENTITY, tid, i1);
    GET(PC_ENT_IDENTITY, tid, i2);
    OK(ops->remove(st, NULL, PC_ENT_USER, tid, uid));
    ABSENT(PC_ENT_IDENTITY, tid, i2);
}

void fed_state_is_used_once(void **state)
{
    char pid[ID_LEN], sid[ID_LEN];
    json_t *s;

    (void)state;
    make_idp(pid, tid, "corp");
    s = keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:I,s:I}", "id", new_id(sid, "state"),
                       "tenant_id", tid, "provider_id", pid, "nonce", "n-1", "code_verifier", "v-1",
                       "browser_hash", "b-1", "return_to", "response_type=code", "link_user_id",
                       "created_at", (json_int_t)now, "expires_at", (json_int_t)now + 600));
    INSERT(PC_ENT_FED_STATE, s);
    EXPECT_JSON(GET(PC_ENT_FED_STATE, tid, sid), s);
    OK(ops->remove(st, NULL, PC_ENT_FED_STATE, tid, sid));
    EXPECT(ops->remove(st, NULL, PC_ENT_FED_STATE, tid, sid), PC_ERR_NOT_FOUND);
}
