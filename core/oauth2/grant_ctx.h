/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one token request while a grant plugin decides who the token is for. */
#ifndef PC_OAUTH2_GRANT_CTX_H
#define PC_OAUTH2_GRANT_CTX_H

#include <portcullis/grant.h>
#include "oauth2/client_auth.h"

typedef enum { SUBJECT_NONE = 0, SUBJECT_CLIENT, SUBJECT_USER } subject_kind;

typedef struct pc_grant_ctx {
    const pc_oauth_request *rq;
    pc_client *client;
    const char *grant_type;
    /* what the grant decided */
    char *scope;
    subject_kind kind;
    json_t *user; /**< user record for SUBJECT_USER */
    char *sid;
    json_t *amr;
    int64_t auth_time;
    char *family_id; /**< refresh grant carried over or chosen before minting, or NULL */
    int want_refresh;
    char *nonce;           /**< echoed in the ID token (authorization code grant) */
    char *code_id;         /**< the redeemed authorization code: told what was minted */
    char *rotated_refresh; /**< the successor of a refresh token the grant rotated */
    /* how it failed */
    char *error;
    char *error_description;
    unsigned status;
    int64_t retry_after;
    json_t *error_extra; /**< members added to the error body (mfa_required), or NULL */
    int unavailable;     /**< the store failed: answered as pc_oauth_unavailable() */
    /* token exchange (RFC 8693) */
    json_t *act;     /**< the "act" claim to carry, or NULL */
    int64_t exp_cap; /**< the access token expires no later than this (0: no cap) */
    int exchanged;   /**< answer with issued_token_type */
    char *jkt;       /**< the DPoP key the tokens are bound to, or NULL (RFC 9449; issue #18) */
    /* organizations (API.md §18) */
    char *org_id;    /**< the organization the tokens are scoped to, or NULL */
    char *org_slug;  /**< its slug */
    int org_settled; /**< the grant decided it (code, refresh, exchange, organization grant) */
} pc_grant_ctx;

/**
 * RFC 6749 §3.3: the scope granted for `requested` (NULL: every scope in
 * `allowed`, the client's); NULL if it asks for one not allowed. New string.
 */
char *pc_scope_settle(const json_t *allowed, const char *requested);
/** Fill a pc_grant_call whose functions act on `ctx`. */
void pc_grant_call_init(pc_grant_call *call, pc_grant_ctx *ctx);
void pc_grant_ctx_clear(pc_grant_ctx *ctx);
/** Record that the store failed (PC_ERR_STORAGE): the answer is 503, not a refusal. */
void pc_grant_ctx_unavailable(pc_grant_ctx *ctx);
/** Record an error with an explicit HTTP status. */
void pc_grant_ctx_fail(pc_grant_ctx *ctx, unsigned status, const char *error,
                       const char *description);
#endif
