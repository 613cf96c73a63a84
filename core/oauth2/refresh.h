/* SPDX-License-Identifier: Apache-2.0 */
/* Refresh tokens: opaque, stored hashed, rotated on every use; a replay revokes the whole family. */
#ifndef PC_OAUTH2_REFRESH_H
#define PC_OAUTH2_REFRESH_H
#include "oauth2/grant_ctx.h"
#include "oauth2/tokens.h"

/** Redeem a refresh token for the subject it carries (the refresh_token grant). */
pc_status pc_refresh_redeem(pc_grant_ctx *ctx, const char *token);
/** Issue a refresh token beside `access`; *token is new. */
pc_status pc_refresh_issue(const pc_grant_ctx *ctx, const pc_minted *access, char **token);
/** Revoke a refresh token's family and the access tokens minted with it. */
pc_status pc_refresh_revoke_family(const pc_tenant *t, const char *family_id);
/** The stored record of a refresh token (new), or NULL. */
json_t *pc_refresh_lookup(const pc_tenant *t, const char *token);
#endif
