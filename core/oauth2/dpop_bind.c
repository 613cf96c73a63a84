/* SPDX-License-Identifier: Apache-2.0 */
/* DPoP at the token endpoint (RFC 9449 §5) and where bound tokens are used (§7). */
#include "oauth2/dpop.h"
#include "oauth2/dpop_token.h"
#include "oauth2/tokens.h"
#include "server/server.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

int pc_oauth2_dpop_token_proof(const pc_oauth_request *rq, const char *path, char **jkt,
                               pc_oauth_reply *reply)
{
    char *htu;
    const char *why = NULL;
    pc_status rc;

    *jkt = NULL;
    if (pc_srv->cfg.dpop_nonce) /* RFC 9449 §8.2: a fresh nonce with every answer */
        reply->dpop_nonce = pc_oauth2_dpop_nonce(rq->tenant);
    if (rq->dpop == NULL)
        return 1;
    htu = pc_asprintf("%s%s", rq->tenant->issuer, path);
    rc = pc_oauth2_dpop_verify(rq->tenant, rq->dpop, "POST", htu, NULL, jkt, &why);
    free(htu);
    if (rc == PC_OK)
        return 1;
    if (rc == PC_ERR_STORAGE) {
        pc_oauth_unavailable(reply);
        return 0;
    }
    /* RFC 9449 §5 and §8: 400 invalid_dpop_proof, or use_dpop_nonce with the nonce to use */
    pc_oauth_error(reply, 400, rc == PC_DECLINED ? "use_dpop_nonce" : "invalid_dpop_proof", why);
    return 0;
}

/* RFC 9449 §7 for a verified token: PC_OK, or why it may not be used as presented. */
static pc_status bound_use(const pc_tenant *t, const json_t *claims, const char *token,
                           const pc_token_presented *how, const char **error, const char **why)
{
    const char *bound = pc_oauth2_dpop_bound_jkt(claims);
    char *jkt = NULL;
    pc_status rc;

    *error = "invalid_token";
    if (bound == NULL) {
        *why = "this access token is not DPoP-bound: use the Bearer scheme";
        return how->scheme == PC_TOKEN_AS_DPOP ? PC_ERR_DENIED : PC_OK;
    }
    if (how->scheme == PC_TOKEN_AS_PARAMETER) {
        /* RFC 9449 §7 and RFC 8693 §2.1: only the key's holder may pass the token on */
        *why = "this token is DPoP-bound: send a DPoP proof of its key with the request";
        return how->proven_jkt != NULL && strcmp(how->proven_jkt, bound) == 0 ? PC_OK
                                                                              : PC_ERR_DENIED;
    }
    /* RFC 9449 §7.2: a bound token presented as a bearer token is refused */
    *why = "this access token is DPoP-bound: use the DPoP scheme with a proof";
    if (how->scheme != PC_TOKEN_AS_DPOP)
        return PC_ERR_DENIED;
    *error = "invalid_dpop_proof";
    rc = pc_oauth2_dpop_verify(t, how->proof, how->method, how->htu, token, &jkt, why);
    if (rc == PC_OK && strcmp(jkt, bound) != 0) {
        *why = "the DPoP proof is signed by another key than the token is bound to";
        rc = PC_ERR_DENIED;
    }
    free(jkt);
    return rc;
}

pc_status pc_oauth2_access_accept(const pc_tenant *t, const char *token,
                                  const pc_token_presented *how, json_t **claims,
                                  const char **error, const char **why)
{
    pc_status rc;

    *claims = NULL;
    *error = "invalid_token";
    *why = NULL;
    if (pc_token_verify_access(t, token, claims) != PC_OK)
        return PC_ERR_DENIED;
    rc = bound_use(t, *claims, token, how, error, why);
    if (rc == PC_OK) {
        *why = NULL; /* nothing to explain: a later refusal must not borrow it */
    } else {
        json_decref(*claims);
        *claims = NULL;
    }
    return rc;
}
