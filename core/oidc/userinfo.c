/* SPDX-License-Identifier: Apache-2.0 */
/* UserInfo (OIDC Core §5.3): the signed-in user's claims, by the access token's scope. */
#include "oauth2/request.h"
#include "iam/users.h"
#include "oauth2/tokens.h"
#include "oidc/claims.h"
#include "server/store.h"

static void bearer_error(pc_oauth_reply *reply, unsigned status, const char *error,
                         const char *challenge)
{
    pc_oauth_error(reply, status, error, NULL);
    reply->www_authenticate = challenge;
}

/* The live user a verified token speaks for: PC_OK, PC_ERR_DENIED, or PC_ERR_STORAGE. */
static pc_status token_user(const pc_tenant *t, const char *token, json_t **claims, json_t **user)
{
    pc_status rc;

    if (pc_token_verify_access(t, token, claims) != PC_OK ||
        json_object_get(*claims, "sid") == NULL)
        return PC_ERR_DENIED;
    rc = pc_db_get(NULL, PC_ENT_USER, t->id, "id",
                   json_string_value(json_object_get(*claims, "sub")), user);
    if (rc == PC_OK && !pc_iam_user_active(*user, pc_now()))
        rc = PC_ERR_DENIED;
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_DENIED;
}

void pc_oidc_userinfo(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    const char *token = rq->bearer ? rq->bearer : pc_oauth_param(rq, "access_token");
    json_t *claims = NULL, *user = NULL;
    const char *scope;
    pc_status rc;

    /* RFC 6750 §3.1: a request without any credentials gets the challenge, no error code. */
    if (token == NULL) {
        reply->status = 401;
        reply->www_authenticate = "Bearer realm=\"portcullis\"";
        return;
    }
    rc = token_user(rq->tenant, token, &claims, &user);
    if (rc == PC_ERR_STORAGE) {
        pc_oauth_unavailable(reply); /* a store that cannot answer is no bad token */
        goto out;
    }
    if (rc != PC_OK) {
        bearer_error(reply, 401, "invalid_token",
                     "Bearer realm=\"portcullis\", error=\"invalid_token\"");
        goto out;
    }
    scope = json_string_value(json_object_get(claims, "scope"));
    if (!pc_scope_has(scope ? scope : "", "openid")) {
        bearer_error(reply, 403, "insufficient_scope",
                     "Bearer realm=\"portcullis\", error=\"insufficient_scope\", scope=\"openid\"");
        goto out;
    }
    reply->status = 200;
    reply->body = pc_oidc_user_claims(user, scope);
out:
    json_decref(claims);
    json_decref(user);
}
