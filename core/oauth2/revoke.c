/* SPDX-License-Identifier: Apache-2.0 */
/* Token revocation (RFC 7009): access tokens by jti, refresh tokens with their whole family. */
#include "oauth2/changes.h"
#include "oauth2/client_auth.h"
#include "oauth2/refresh.h"
#include "oauth2/tokens.h"
#include "iam/audit.h"
#include "server/store.h"

#include <string.h>

static pc_status revoke_access(const pc_oauth_request *rq, const json_t *claims)
{
    const char *jti = json_string_value(json_object_get(claims, "jti"));
    pc_status rc = pc_change_write(NULL, rq->tenant->id, "jti", jti,
                                   json_integer_value(json_object_get(claims, "exp")));

    pc_changes_sync();
    return rc;
}

static int owned_by(const json_t *obj, const char *key, const pc_client *c)
{
    const char *v = json_string_value(json_object_get(obj, key));

    return v != NULL && strcmp(v, c->client_id) == 0;
}

void pc_oauth2_revoke(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    const char *token = pc_oauth_param(rq, "token");
    pc_client client;
    json_t *claims = NULL, *rec = NULL;
    pc_status rc = PC_OK;
    int current = 0;

    if (pc_oauth2_client_authenticate(rq, 1, &client, reply) != PC_OK)
        return;
    if (token == NULL) {
        pc_oauth_error(reply, 400, "invalid_request", "token is required");
        goto out;
    }
    if (pc_token_verify_access(rq->tenant, token, &claims) == PC_OK) {
        /* RFC 7009 §2.1: only the client the token was issued to may revoke it. */
        if (!owned_by(claims, "client_id", &client))
            goto refused;
        rc = revoke_access(rq, claims);
    } else if ((rec = pc_refresh_lookup(rq->tenant, token, &current)) != NULL) {
        /* RFC 7009 §2.1: with the refresh token goes its grant, access tokens included. */
        if (!owned_by(rec, "client_id", &client))
            goto refused;
        rc = pc_refresh_revoke_family(rq->tenant, json_string_value(json_object_get(rec, "id")));
    } else if (current < 0) {
        rc = PC_ERR_STORAGE; /* a refresh token the store could not look up is not unknown */
    }
    if (rc != PC_OK) {
        pc_oauth_unavailable(reply);
        goto out;
    }
    if (claims != NULL || rec != NULL)
        pc_audit_record(
            NULL, rq->tenant->id, "token.revoked", client.client_id,
            json_string_value(json_object_get(claims ? claims : rec, claims ? "sub" : "user_id")),
            rq->ip, NULL);
    /* RFC 7009 §2.2: an unknown or invalid token is answered 200 too. */
    reply->status = 200;
    goto out;
refused:
    pc_oauth_error(reply, 400, "unauthorized_client", "the token was issued to another client");
out:
    json_decref(claims);
    json_decref(rec);
    pc_client_clear(&client);
}
