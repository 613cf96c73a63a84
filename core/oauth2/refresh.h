/* SPDX-License-Identifier: Apache-2.0 */
/* Refresh tokens: one record per grant, rotated on every use; a replay revokes the whole grant. */
#ifndef PC_OAUTH2_REFRESH_H
#define PC_OAUTH2_REFRESH_H
#include "oauth2/grant_ctx.h"
#include "oauth2/tokens.h"

/** Redeem a refresh token for the subject it carries (the refresh_token grant). */
pc_status pc_refresh_redeem(pc_grant_ctx *ctx, const char *token);
/** Start the grant ctx->family_id (chosen before minting) and issue its first token; *token is new. */
pc_status pc_refresh_issue(const pc_grant_ctx *ctx, char **token);
/** Revoke a refresh grant and every access token minted from it. */
pc_status pc_refresh_revoke_family(const pc_tenant *t, const char *family_id);
/**
 * The grant record (new) of a genuine refresh token of tenant `t`, or NULL;
 * *current (unless NULL) tells whether the token is its grant's latest and its
 * session (if any) still live, and is -1 with NULL returned when the store
 * could not be read.
 */
json_t *pc_refresh_lookup(const pc_tenant *t, const char *token, int *current);
#endif
