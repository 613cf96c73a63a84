/* SPDX-License-Identifier: Apache-2.0 */
/* Authorization codes (RFC 6749 §4.1.2, §4.1.3): stored hashed, single use, short-lived, bound. */
#ifndef PC_OAUTH2_CODE_H
#define PC_OAUTH2_CODE_H
#include "oauth2/grant_ctx.h"
#include "oauth2/tokens.h"

/** What an approved authorization request binds a code to; all borrowed. */
typedef struct pc_code_grant {
    const char *client_id;
    const char *redirect_uri;
    const char *code_challenge; /**< S256, or NULL */
    const char *nonce;          /**< or NULL */
    const char *user_id;
    const char *sid;
    const char *scope;
    const json_t *amr;
    int64_t auth_time;
    const char *org_id;   /**< the organization chosen (API.md §18), or NULL */
    const char *dpop_jkt; /**< the DPoP key the code is bound to (RFC 9449 §10), or NULL */
} pc_code_grant;

/** The redirect_uri of the code record of an approved device authorization (RFC 8628). */
#define PC_CODE_DEVICE "urn:ietf:params:oauth:grant-type:device_code"
/** Store a code record of id `id` (SHA-256 hex) for `g`, good until expires_at; PC_ERR_CONFLICT if it exists. */
pc_status pc_code_store(const pc_tenant *t, const char *id, const pc_code_grant *g,
                        int64_t expires_at);
/**
 * The device_code grant's last step: take the code record `id` that approving
 * device authorization `id` stored, once, and adopt its subject into ctx; a
 * second redemption fails and revokes what the first one issued.
 */
pc_status pc_code_redeem_device(pc_grant_ctx *ctx, const char *id);
/** Store a new code for `g` (it lives code_ttl seconds); *code is the new plaintext, shown once. */
pc_status pc_code_issue(const pc_tenant *t, const pc_code_grant *g, char **code);
/** The authorization_code grant: take the code once and adopt its subject into ctx. */
pc_status pc_code_redeem(pc_grant_ctx *ctx, const char *code, const char *redirect_uri,
                         const char *code_verifier);
/** Remember what the redemption minted, so that a replay can revoke it. */
void pc_code_issued(const pc_grant_ctx *ctx, const pc_minted *access);
#endif
