/* SPDX-License-Identifier: Apache-2.0 */
/* Access tokens: minted as RFC 9068 JWTs, verified with the tenant's keys and the revocation feed. */
#ifndef PC_OAUTH2_TOKENS_H
#define PC_OAUTH2_TOKENS_H

#include "iam/tenant.h"

/** Who a token is for; everything borrowed. */
typedef struct pc_token_subject {
    const char *sub; /**< user id, or the client_id for client tokens */
    int is_user;
    const char *client_id;
    const char *scope;      /**< granted, space separated (may be "") */
    const char *sid;        /**< session of a user token; NULL for client tokens */
    const json_t *amr;      /**< JSON array, or NULL */
    int64_t auth_time;      /**< 0 if unknown */
    const char *audience;   /**< NULL: the tenant's default */
    const char *nonce;      /**< ID tokens only */
    const char *grant_id;   /**< the refresh grant the token belongs to, or NULL */
    const char *access_alg; /**< the application's access_token_alg, or NULL: the tenant's */
    const char *id_alg;     /**< the application's id_token_signed_response_alg, or NULL */
    const json_t *act;      /**< RFC 8693 §4.1 actor claim, or NULL */
    int64_t exp_cap;        /**< expire no later than this (0: the tenant's lifetime) */
    const json_t *extra;    /**< claims from user attributes (token_claims), or NULL */
    const char *jkt;        /**< DPoP key thumbprint to bind to (cnf.jkt), or NULL (issue #18) */
    const char *org_id;     /**< the organization the token is scoped to (API.md §18), or NULL */
    const char *org_slug;   /**< its slug */
} pc_token_subject;

typedef struct pc_minted {
    char *jwt;
    char jti[37];
    int64_t iat;
    int64_t exp;
} pc_minted;

/** Mint and sign an access token with the tenant's access-token alg. */
pc_status pc_token_mint_access(const pc_tenant *t, const pc_token_subject *s, pc_minted *out);
void pc_minted_clear(pc_minted *m);

/**
 * Verify a bearer access token of tenant `t`: signature, typ, iss, exp and
 * revocation. PC_OK with *claims (new); PC_ERR_DENIED for anything invalid.
 * Where a token is used as a credential, pc_oauth2_access_accept() (dpop.h)
 * calls this and applies the DPoP binding (RFC 9449 §7); only introspection and
 * revocation, which look at a token without using it, call this directly.
 */
pc_status pc_token_verify_access(const pc_tenant *t, const char *jwt, json_t **claims);
#endif
