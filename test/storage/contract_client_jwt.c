/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 11 (issue #18): used JWT ids, pushed requests, application keys. */
#include "contract_support.h"
#include "contract_client_jwt.h"

static json_t *jti_rec(const char *id, const char *t, int64_t expires_at)
{
    return keep(json_pack("{s:s,s:s,s:I,s:I}", "id", id, "tenant_id", t, "created_at",
                          (json_int_t)now, "expires_at", (json_int_t)expires_at));
}

/* A replayed assertion or DPoP proof is one insert answering PC_ERR_CONFLICT. */
void used_jti_is_refused_twice(void **state)
{
    char id[ID_LEN];

    (void)state;
    new_id(id, "jti");
    INSERT(PC_ENT_USED_JTI, jti_rec(id, tid, now + 60));
    EXPECT(ops->insert(st, NULL, PC_ENT_USED_JTI, jti_rec(id, tid, now + 60), NULL, 0),
           PC_ERR_CONFLICT);
    /* once expired and swept, the row is gone */
    OK(ops->expire(st, PC_ENT_USED_JTI, "expires_at", now + 61));
    ABSENT(PC_ENT_USED_JTI, tid, id);
}

/* RFC 9126 §4: of two uses of a request_uri, one removes the row. */
void pushed_request_is_taken_once(void **state)
{
    char id[ID_LEN];
    json_t *rec, *got;

    (void)state;
    rec = keep(json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:I,s:I}", "id", new_id(id, "par"), "tenant_id",
                         tid, "client_id", "web", "params", "redirect_uri",
                         "https://app.example/cb", "scope", "openid", "created_at", (json_int_t)now,
                         "expires_at", (json_int_t)now + 60));
    INSERT(PC_ENT_PAR, rec);
    got = GET(PC_ENT_PAR, tid, id);
    EXPECT_JSON(got, rec);
    OK(ops->remove(st, NULL, PC_ENT_PAR, tid, id));
    EXPECT(ops->remove(st, NULL, PC_ENT_PAR, tid, id), PC_ERR_NOT_FOUND);
}

void application_key_columns_round_trip(void **state)
{
    char aid[ID_LEN];
    json_t *a = app_rec(new_id(aid, "app"), tid, "signer", 0);
    json_t *patch = keep(json_pack("{s:s,s:{s:[{s:s,s:s}]},s:s,s:b}", "token_endpoint_auth_method",
                                   "private_key_jwt", "jwks", "keys", "kty", "EC", "kid", "k1",
                                   "jwks_uri", "https://app.example/jwks", "require_par", 1));

    (void)state;
    INSERT(PC_ENT_APPLICATION, a);
    OK(ops->update(st, NULL, PC_ENT_APPLICATION, tid, aid, patch, NULL, 0));
    json_object_update(a, patch);
    EXPECT_JSON(GET(PC_ENT_APPLICATION, tid, aid), a);
}

/* RFC 9449 §10 (schema 16): the DPoP key a code is bound to comes back when it is taken. */
void code_dpop_jkt_round_trips(void **state)
{
    char id[ID_LEN], plain[ID_LEN];
    const char *jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    json_t *out = NULL;

    (void)state;
    for (int bound = 1; bound >= 0; bound--) {
        json_t *rec =
            keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:I,s:I,s:I}", "id",
                           new_id(bound ? id : plain, "ac"), "tenant_id", tid, "client_id", "c1",
                           "redirect_uri", "https://rp.example/cb", "user_id", "u1", "sid", "sid1",
                           "scope", "openid", "amr", "pwd", "auth_time", (json_int_t)now,
                           "created_at", (json_int_t)now, "expires_at", (json_int_t)now + 60));
        if (bound)
            json_object_set_new(rec, "dpop_jkt", json_string(jkt));
        INSERT(PC_ENT_CODE, rec);
    }
    OK(ops->code_take(st, NULL, tid, id, now, &out));
    assert_string_equal(json_string_value(json_object_get(keep(out), "dpop_jkt")), jkt);
    OK(ops->code_take(st, NULL, tid, plain, now, &out));
    keep(out); /* not inside json_is_null(), a macro that names its argument twice */
    assert_true(json_is_null(json_object_get(out, "dpop_jkt")));
}

/* The back-channel logout outbox: a due message is claimed once, then not while leased. */
void logout_message_is_claimed_once(void **state)
{
    char id[ID_LEN];
    json_t *got = NULL, *again = NULL;
    int64_t due = 4000000000000LL + (int64_t)(now % 1000) * 1000000; /* far from other cases */

    (void)state;
    INSERT(PC_ENT_LOGOUT_MESSAGE,
           keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:n,s:n,s:n,s:I,s:n}", "id",
                          new_id(id, "lgo"), "tenant_id", tid, "client_id", "web", "url",
                          "https://app.example/bcl", "sid", "sid-1", "sub", "usr-1", "status",
                          "pending", "attempts", 0, "next_attempt_ms", (json_int_t)due,
                          "locked_until_ms", "locked_by", "error", "created_at", (json_int_t)now,
                          "done_at")));
    EXPECT(ops->logout_claim(st, "node-a", due - 1, 1000, &got), PC_ERR_NOT_FOUND);
    OK(ops->logout_claim(st, "node-a", due, 1000, &got));
    assert_string_equal(json_string_value(json_object_get(got, "id")), id);
    assert_int_equal(json_integer_value(json_object_get(got, "attempts")), 1);
    EXPECT(ops->logout_claim(st, "node-b", due + 10, 1000, &again), PC_ERR_NOT_FOUND);
    /* the lease passed: another node may take it */
    OK(ops->logout_claim(st, "node-b", due + 2000, 1000, &again));
    assert_string_equal(json_string_value(json_object_get(again, "locked_by")), "node-b");
    json_decref(got);
    json_decref(again);
}
