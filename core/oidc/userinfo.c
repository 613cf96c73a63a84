/* SPDX-License-Identifier: Apache-2.0 */
/* UserInfo (OIDC Core §5.3): the signed-in user's claims, by the access token's scope. */
#include "oauth2/request.h"
#include "iam/users.h"
#include "oauth2/tokens.h"
#include "oauth2/dpop.h"
#include "server/server.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include "oidc/claims.h"
#include "server/store.h"

static void bearer_error(pc_oauth_reply *reply, unsigned status, const char *error,
                         const char *challenge)
{
    pc_oauth_error(reply, status, error, NULL);
    reply->www_authenticate = challenge;
}

/* The live user of a token's claims: PC_OK, PC_ERR_DENIED, or PC_ERR_STORAGE. */
static pc_status token_user(const pc_tenant *t, const json_t *claims, json_t **user)
{
    pc_status rc;

    if (json_object_get(claims, "sid") == NULL)
        return PC_ERR_DENIED;
    rc = pc_db_get(NULL, PC_ENT_USER, t->id, "id",
                   json_string_value(json_object_get(claims, "sub")), user);
    if (rc == PC_OK && !pc_iam_user_active(*user, pc_now()))
        rc = PC_ERR_DENIED;
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_DENIED;
}

/* RFC 9449 §7: a DPoP-bound token needs its proof; a refused proof gets a DPoP challenge. */
static void refuse_proof(const pc_oauth_request *rq, pc_status rc, const char *error,
                         const char *why, pc_oauth_reply *reply)
{
    if (rc == PC_DECLINED)
        bearer_error(reply, 401, "use_dpop_nonce", "DPoP error=\"use_dpop_nonce\"");
    else if (strcmp(error, "invalid_dpop_proof") == 0)
        bearer_error(reply, 401, error,
                     "DPoP algs=\"RS256 PS256 ES256 EdDSA\", error=\"invalid_dpop_proof\"");
    else
        bearer_error(reply, 401, "invalid_token",
                     "DPoP algs=\"RS256 PS256 ES256 EdDSA\", error=\"invalid_token\"");
    if (pc_srv->cfg.dpop_nonce)
        reply->dpop_nonce = pc_oauth2_dpop_nonce(rq->tenant);
    json_object_set_new(reply->body, "error_description", json_string(why));
}

/* The token as a credential (pc_oauth2_access_accept); 0 after setting the reply. */
static int accepted(const pc_oauth_request *rq, const char *token, json_t **claims,
                    pc_oauth_reply *reply)
{
    char *htu = pc_asprintf("%s/oauth2/userinfo", rq->tenant->issuer);
    pc_token_presented how = {.scheme = rq->dpop_token ? PC_TOKEN_AS_DPOP : PC_TOKEN_AS_BEARER,
                              .proof = rq->dpop,
                              .method = rq->method,
                              .htu = htu};
    const char *error, *why;
    pc_status rc = pc_oauth2_access_accept(rq->tenant, token, &how, claims, &error, &why);

    free(htu);
    if (rc == PC_ERR_STORAGE)
        pc_oauth_unavailable(reply);
    else if (rc == PC_ERR_DENIED && why == NULL)
        bearer_error(reply, 401, "invalid_token",
                     "Bearer realm=\"portcullis\", error=\"invalid_token\"");
    else if (rc != PC_OK)
        refuse_proof(rq, rc, error, why, reply);
    return rc == PC_OK;
}

void pc_oidc_userinfo(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    const char *token = rq->bearer       ? rq->bearer
                        : rq->dpop_token ? rq->dpop_token
                                         : pc_oauth_param(rq, "access_token");
    json_t *claims = NULL, *user = NULL;
    const char *scope;
    pc_status rc;

    /* RFC 6750 §3.1: a request without any credentials gets the challenge, no error code. */
    if (token == NULL) {
        reply->status = 401;
        reply->www_authenticate = "Bearer realm=\"portcullis\"";
        return;
    }
    if (!accepted(rq, token, &claims, reply))
        goto out;
    rc = token_user(rq->tenant, claims, &user);
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
