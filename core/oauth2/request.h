/* SPDX-License-Identifier: Apache-2.0 */
/* A protocol request as core/oauth2 sees it (no HTTP library types), and its reply. */
#ifndef PC_OAUTH2_REQUEST_H
#define PC_OAUTH2_REQUEST_H

#include <jansson.h>
#include "iam/tenant.h"

typedef struct pc_oauth_request {
    pc_tenant *tenant;
    const char *ip;
    /** A form parameter, or NULL. */
    const char *(*param)(void *ctx, const char *name);
    void *param_ctx;
    /** HTTP Basic credentials, already decoded; NULL if absent. */
    const char *basic_user;
    const char *basic_password;
    /** The bearer token of the Authorization header, or NULL. */
    const char *bearer;
    /** The endpoint's path under the issuer ("/oauth2/token"), for audience checks (issue #18). */
    const char *endpoint;
    /* ---- DPoP, RFC 9449 (issue #18) ---- */
    const char *method;     /**< the HTTP method */
    const char *dpop;       /**< the DPoP header (a proof), or NULL */
    const char *dpop_token; /**< the token of "Authorization: DPoP <token>", or NULL */
} pc_oauth_request;

typedef struct pc_oauth_reply {
    unsigned status;
    json_t *body;                 /**< owned */
    int64_t retry_after;          /**< > 0: send Retry-After */
    const char *www_authenticate; /**< static, or NULL */
    char *dpop_nonce;             /**< new, or NULL: send DPoP-Nonce (RFC 9449 §8; issue #18) */
} pc_oauth_reply;

static inline const char *pc_oauth_param(const pc_oauth_request *rq, const char *name)
{
    return rq->param(rq->param_ctx, name);
}

/** Set an RFC 6749 §5.2 error reply. */
void pc_oauth_error(pc_oauth_reply *r, unsigned status, const char *error, const char *description);
/**
 * The store could not answer: 503 temporarily_unavailable with Retry-After.
 * The one reply for PC_ERR_STORAGE at the OAuth endpoints; nothing was decided
 * about the caller, so it is never an authentication failure and never counted.
 */
void pc_oauth_unavailable(pc_oauth_reply *r);

/** The token endpoint (RFC 6749 §3.2). */
void pc_oauth2_token(const pc_oauth_request *rq, pc_oauth_reply *reply);
/** Token introspection (RFC 7662). */
void pc_oauth2_introspect(const pc_oauth_request *rq, pc_oauth_reply *reply);
/** Token revocation (RFC 7009). */
void pc_oauth2_revoke(const pc_oauth_request *rq, pc_oauth_reply *reply);
/** Pushed authorization requests (RFC 9126 §2; issue #18). */
void pc_oauth2_par(const pc_oauth_request *rq, pc_oauth_reply *reply);
/** UserInfo (OIDC Core §5.3). */
void pc_oidc_userinfo(const pc_oauth_request *rq, pc_oauth_reply *reply);
#endif
