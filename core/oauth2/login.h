/* SPDX-License-Identifier: Apache-2.0 */
/* Password sign-in: throttled, timed alike for known and unknown users, audited, opening a session. */
#ifndef PC_OAUTH2_LOGIN_H
#define PC_OAUTH2_LOGIN_H
#include "oauth2/grant_ctx.h"

/** Check a user's password; on success ctx holds the user, a new session and amr ["pwd"]. */
pc_status pc_login_password(pc_grant_ctx *ctx, const char *username, const char *password);
#endif
