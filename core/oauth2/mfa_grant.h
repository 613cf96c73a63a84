/* SPDX-License-Identifier: Apache-2.0 */
/* Multi-factor at the token endpoint: mfa_required after a password, and the mfa grant that completes it. */
#ifndef PC_OAUTH2_MFA_GRANT_H
#define PC_OAUTH2_MFA_GRANT_H
#include "oauth2/grant_ctx.h"
#include "oauth2/login.h"

#define PC_MFA_GRANT_TYPE "urn:portcullis:params:oauth:grant-type:mfa"

/**
 * After a right password: PC_OK when the user has no second factor; else the
 * 403 mfa_required answer (with mfa_token and mfa_methods) is set on ctx and
 * PC_ERR_DENIED returned. No session is opened before the second factor.
 */
pc_status pc_mfa_grant_gate(pc_grant_ctx *ctx, const pc_login_attempt *a);
/** pc_grant_call.subject_mfa: redeem an mfa_token; on success ctx holds the user, scope, amr and a new session. */
pc_status pc_mfa_grant_subject(pc_grant_ctx *ctx, const char *mfa_token, const char *method,
                               const char *code);
/** May the client use grant_type? The mfa grant continues a password grant, so "password" allows it too. */
int pc_mfa_grant_allowed(const pc_client *client, const char *grant_type);
#endif
