/* SPDX-License-Identifier: Apache-2.0 */
/* Token introspection (RFC 7662): the caller is an authenticated client of the tenant. */
#include "oauth2/client_auth.h"
#include "oauth2/changes.h"
#include "oauth2/refresh.h"
#include "oauth2/tokens.h"
#include "server/server.h"

#include <string.h>

static const char *const access_claims[] = {"scope",  "client_id", "sub", "aud", "iss",
                                            "exp",    "iat",       "jti", "sid", "auth_time",
                                            "act",    "cnf",      /* RFC 9449 §6.2 (issue #18) */
                                            "org_id", "org_slug", /* API.md §18 */
                                            NULL};

static json_t *describe_access(const json_t *claims)
{
    /* RFC 9449 §6.2: a token bound to a DPoP key is of type DPoP */
    json_t *out = json_pack("{s:b,s:s}", "active", 1, "token_type",
                            json_object_get(claims, "cnf") ? "DPoP" : "Bearer");

    for (size_t i = 0; access_claims[i]; i++) {
        json_t *v = json_object_get(claims, access_claims[i]);
        if (v != NULL)
            json_object_set(out, access_claims[i], v);
    }
    return out;
}

/*
 * A refresh token is active while it is its grant's latest and the grant is
 * live. RFC 7662 §2.2 token_type is an RFC 6749 §7.1 access token type: the
 * type of the tokens this one obtains, "Bearer".
 */
static json_t *describe_refresh(const pc_tenant *t, const json_t *rec, int current)
{
    json_t *out;

    const char *sid = json_string_value(json_object_get(rec, "sid"));
    json_t *rotated = json_object_get(rec, "rotated_at");

    if (!current || !json_is_null(json_object_get(rec, "revoked_at")) ||
        json_integer_value(json_object_get(rec, "expires_at")) <= pc_now() ||
        (sid != NULL && pc_changes_sid_ended(sid)) ||
        pc_changes_is_revoked(t->id, NULL, NULL, json_string_value(json_object_get(rec, "id")),
                              json_string_value(json_object_get(rec, "client_id")),
                              json_integer_value(json_object_get(rec, "created_at"))) ||
        pc_changes_user_cut(t->id, json_string_value(json_object_get(rec, "user_id")),
                            json_integer_value(json_object_get(rec, "created_at"))) ||
        pc_changes_member_cut(t->id, json_string_value(json_object_get(rec, "user_id")),
                              json_string_value(json_object_get(rec, "org_id")),
                              json_integer_value(json_object_get(rec, "created_at"))))
        return NULL;
    out = json_pack(
        "{s:b,s:s,s:O,s:O,s:O,s:O,s:O,s:s}", "active", 1, "token_type", "Bearer", "client_id",
        json_object_get(rec, "client_id"), "sub", json_object_get(rec, "user_id"), "scope",
        json_object_get(rec, "scope"), "exp", json_object_get(rec, "expires_at"), "iat",
        json_is_integer(rotated) ? rotated : json_object_get(rec, "created_at"), "iss", t->issuer);
    if (json_is_string(json_object_get(rec, "org_id"))) /* API.md §18 */
        json_object_set(out, "org_id", json_object_get(rec, "org_id"));
    return out;
}

/*
 * What the token is: an active description (new), NULL for inactive, or
 * PC_ERR_STORAGE when the store cannot say. An access token that verifies is
 * active only while this node's view of revocations is current: while the feed
 * cannot be read, a revocation on another node could be missed.
 */
static pc_status describe(const pc_tenant *t, const char *token, json_t **out)
{
    json_t *claims = NULL, *rec = NULL;
    int current = 0;

    *out = NULL;
    if (pc_token_verify_access(t, token, &claims) == PC_OK) {
        *out = describe_access(claims);
        json_decref(claims);
    } else if ((rec = pc_refresh_lookup(t, token, &current)) != NULL) {
        *out = describe_refresh(t, rec, current);
        json_decref(rec);
    } else if (current < 0) {
        return PC_ERR_STORAGE;
    }
    if (*out != NULL && !pc_changes_fresh()) {
        json_decref(*out);
        *out = NULL;
        return PC_ERR_STORAGE;
    }
    return PC_OK;
}

void pc_oauth2_introspect(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    const char *token = pc_oauth_param(rq, "token");
    pc_client client;
    json_t *out = NULL;

    /* RFC 7662 §2.1: the caller must authenticate; public clients may not. */
    if (pc_oauth2_client_authenticate(rq, 0, &client, reply) != PC_OK)
        return;
    pc_client_clear(&client);
    if (token == NULL) {
        pc_oauth_error(reply, 400, "invalid_request", "token is required");
        return;
    }
    /* Not knowing is not "inactive": a resource server would turn its users away. */
    if (describe(rq->tenant, token, &out) != PC_OK) {
        pc_oauth_unavailable(reply);
        return;
    }
    reply->status = 200;
    reply->body = out ? out : json_pack("{s:b}", "active", 0);
}
