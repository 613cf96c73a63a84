/* SPDX-License-Identifier: Apache-2.0 */
/* POST /api/v1/mfa/challenge: a client has the email or SMS code of a pending sign-in sent (API.md §2). */
#include "oauth2/mfa_challenge.h"
#include "oauth2/client_auth.h"
#include "oauth2/mfa_token.h"
#include "oauth2/passkey.h"
#include "util/log.h"

#include <stdlib.h>

static void challenge_failed(pc_oauth_reply *reply, pc_status rc, int64_t retry_after)
{
    switch (rc) {
    case PC_ERR_DENIED: /* another client's token: as if this client had not authenticated */
        pc_oauth_error(reply, 401, "invalid_client", "the mfa_token was not issued to this client");
        reply->www_authenticate = "Basic realm=\"portcullis\"";
        break;
    case PC_ERR_NOT_FOUND:
        pc_oauth_error(reply, 400, "invalid_grant", "the mfa_token is invalid, expired or used up");
        break;
    case PC_ERR_INVALID:
        pc_oauth_error(reply, 400, "invalid_request",
                       "method is not an email, SMS or passkey method of this sign-in");
        break;
    case PC_ERR_LIMIT:
        pc_oauth_error(reply, 429, "temporarily_unavailable",
                       "a code was sent moments ago; retry later");
        reply->retry_after = retry_after;
        break;
    case PC_ERR_UNAVAILABLE:
        pc_oauth_error(reply, 503, "temporarily_unavailable",
                       "the code could not be sent; retry later");
        break;
    case PC_ERR_STORAGE: pc_oauth_unavailable(reply); break;
    default: pc_oauth_error(reply, 500, "server_error", NULL);
    }
}

static int is_passkey(const char *method)
{
    void *state = NULL;

    return pc_passkey_scheme(method, &state) != NULL;
}

/* A passkey method: 200 {"publicKey": request options} with a challenge bound to the mfa_token. */
static void passkey_options(const pc_oauth_request *rq, pc_oauth_reply *reply, const char *token,
                            const char *client_id, const char *method)
{
    char *options = NULL;
    pc_status rc = pc_mfa_token_passkey_options(rq->tenant, token, client_id, method, &options);
    json_t *pk = options ? json_loads(options, 0, NULL) : NULL;

    if (rc == PC_OK && pk != NULL) {
        reply->status = 200;
        reply->body = json_pack("{s:o}", "publicKey", pk);
        pk = NULL;
    } else {
        challenge_failed(reply, rc == PC_OK ? PC_ERR_INTERNAL : rc, 0);
    }
    json_decref(pk);
    free(options);
}

void pc_oauth2_mfa_challenge(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    const char *token = pc_oauth_param(rq, "mfa_token"), *method = pc_oauth_param(rq, "method");
    int64_t retry_after = 0;
    pc_client client;
    pc_status rc;

    /* Client authentication exactly as at the token endpoint (RFC 6749 §2.3). */
    if (pc_oauth2_client_authenticate(rq, 1, &client, reply) != PC_OK)
        return;
    if (token == NULL || method == NULL) {
        pc_oauth_error(reply, 400, "invalid_request", "mfa_token and method are required");
    } else if (is_passkey(method)) {
        passkey_options(rq, reply, token, client.client_id, method);
    } else {
        rc = pc_mfa_token_challenge(rq->tenant, token, client.client_id, method, rq->ip,
                                    &retry_after);
        if (rc == PC_OK)
            reply->status = 204;
        else
            challenge_failed(reply, rc, retry_after);
    }
    pc_client_clear(&client);
}
