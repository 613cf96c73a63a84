/* SPDX-License-Identifier: Apache-2.0 */
/* Password sign-in: throttled, timed alike for known and unknown users, audited, opening a session. */
#ifndef PC_OAUTH2_LOGIN_H
#define PC_OAUTH2_LOGIN_H
#include "oauth2/grant_ctx.h"

/** Who is trying to sign in, where from and through which client; all borrowed. */
typedef struct pc_login_attempt {
    const pc_tenant *tenant;
    const char *ip;
    const char *client_id; /**< the audit actor */
    const char *username;  /**< a username, or an email address */
    const char *password;
    const char *provider; /**< federation: the identity provider signed in through, or NULL */
} pc_login_attempt;

/**
 * The password check shared by the password grant and the login page:
 * throttled per account and address, timed alike for unknown users, failures
 * audited. PC_OK with *user (new); PC_ERR_INVALID when a field is missing;
 * PC_ERR_DENIED for wrong credentials; PC_ERR_LIMIT (with *retry_after) when throttled;
 * PC_ERR_CONFLICT for the right password of a disabled or frozen account (audited as
 * login.refused, not counted as a failure).
 */
pc_status pc_login_check(const pc_login_attempt *a, json_t **user, int64_t *retry_after);
/** What pc_login_check_via() says about directories beside its status. */
typedef struct pc_login_via {
    /** On PC_OK: the directory's name, or "" for a local password. */
    char provider[64];
    /**
     * On PC_ERR_CONFLICT: NULL for a disabled or frozen local account, else a
     * static sentence for the person: a directory took the password, but nobody
     * here may be that person (not linked and no provisioning, an email of
     * another user, no room for more users, a user disabled, frozen or deleted
     * here). Audited as login.refused, not counted.
     */
    const char *refusal;
    /** On PC_ERR_CONFLICT with a refusal: why, in the audit's words (static). */
    const char *refusal_reason;
} pc_login_via;
/**
 * pc_login_check, where a name that is not local (or a user without a password)
 * is also checked against the tenant's directories (API.md §14), `via` filled;
 * PC_ERR_UNAVAILABLE when a directory could not be reached, PC_ERR_INTERNAL when
 * it is misconfigured here (its secrets do not open with this master key, its
 * config breaks a rule); no failure is counted for either.
 */
pc_status pc_login_check_via(const pc_login_attempt *a, json_t **user, int64_t *retry_after,
                             pc_login_via *via);
/**
 * Open a session for a signed-in user and audit login.succeeded, in one
 * transaction. secret_hash: a browser session's cookie hash, or NULL.
 */
pc_status pc_login_open_session(const pc_login_attempt *a, const char *user_id, const json_t *amr,
                                int64_t auth_time, const char *secret_hash, char sid[37]);
/** Audit login.succeeded of `user_id` in `tx`, naming a->provider when set. */
pc_status pc_login_audit_success(pc_store_tx *tx, const pc_login_attempt *a, const char *user_id);
/** Check a user's password; on success ctx holds the user, a new session and amr ["pwd"]. */
pc_status pc_login_password(pc_grant_ctx *ctx, const char *username, const char *password);
#endif
