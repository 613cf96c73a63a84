/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 10 (issue #18): consents per user and client, device codes. */
#include "contract_support.h"
#include "contract_consent.h"

#include <string.h>

static json_t *consent_rec(const char *id, const char *t, const char *uid, const char *client,
                           const char *scope)
{
    return keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", id, "tenant_id", t, "user_id", uid,
                          "client_id", client, "scope", scope, "created_at", (json_int_t)now,
                          "updated_at", (json_int_t)now));
}

/* One consent per user and client; listed by user and client; removing the user removes it. */
void consent_is_one_per_user_and_client(void **state)
{
    char uid[ID_LEN], cid[ID_LEN], dup[ID_LEN], other[ID_LEN];
    json_t *list;
    pc_store_query q = {.limit = 10};

    (void)state;
    make_user(uid, tid, "consenter", NULL);
    q.filters = keep(json_pack("{s:s,s:s}", "user_id", uid, "client_id", "web"));
    INSERT(PC_ENT_CONSENT, consent_rec(new_id(cid, "cs"), tid, uid, "web", "openid"));
    EXPECT(ops->insert(st, NULL, PC_ENT_CONSENT,
                       consent_rec(new_id(dup, "cs"), tid, uid, "web", "openid email"), NULL, 0),
           PC_ERR_CONFLICT);
    INSERT(PC_ENT_CONSENT, consent_rec(new_id(other, "cs"), tid, uid, "cli", "openid"));
    OK(ops->list(st, NULL, PC_ENT_CONSENT, tid, &q, &list));
    keep(list);
    assert_int_equal(json_array_size(list), 1);
    EXPECT_JSON(json_array_get(list, 0), consent_rec(cid, tid, uid, "web", "openid"));
    OK(ops->remove(st, NULL, PC_ENT_USER, tid, uid));
    ABSENT(PC_ENT_CONSENT, tid, cid);
    ABSENT(PC_ENT_CONSENT, tid, other);
}

/* A device authorization is found by its hashed user code, which is unique. */
void device_code_found_by_user_code(void **state)
{
    char id[ID_LEN], dup[ID_LEN];
    json_t *rec =
        keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:n,s:n,s:I,s:I}", "id", new_id(id, "dc"),
                       "tenant_id", tid, "client_id", "tv", "user_code", id, "scope", "openid",
                       "status", "pending", "poll_interval", 5, "last_poll_at", "user_id",
                       "created_at", (json_int_t)now, "expires_at", (json_int_t)(now + 600)));
    json_t *copy = keep(json_deep_copy(rec)), *patch;

    (void)state;
    INSERT(PC_ENT_DEVICE_CODE, rec);
    EXPECT_JSON(GET_BY(PC_ENT_DEVICE_CODE, tid, "user_code", id), rec);
    json_object_set_new(copy, "id", json_string(new_id(dup, "dc")));
    EXPECT(ops->insert(st, NULL, PC_ENT_DEVICE_CODE, copy, NULL, 0), PC_ERR_CONFLICT);
    patch = keep(json_pack("{s:s,s:I,s:i}", "status", "approved", "last_poll_at", (json_int_t)now,
                           "poll_interval", 10));
    OK(ops->update(st, NULL, PC_ENT_DEVICE_CODE, tid, id, patch, NULL, 0));
    json_object_update(rec, patch);
    EXPECT_JSON(GET(PC_ENT_DEVICE_CODE, tid, id), rec);
    OK(ops->expire(st, PC_ENT_DEVICE_CODE, "expires_at", now + 601));
    ABSENT(PC_ENT_DEVICE_CODE, tid, id);
}
