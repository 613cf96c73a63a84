/* SPDX-License-Identifier: Apache-2.0 */
/* mfa_token: a sign-in waiting for its second factor (opaque, stored hashed, 5 minutes, single use, client-bound). */
#ifndef PC_OAUTH2_MFA_TOKEN_H
#define PC_OAUTH2_MFA_TOKEN_H
#include "iam/mfa.h"

#define PC_MFA_TOKEN_TTL 300
#define PC_MFA_TOKEN_MAX_ATTEMPTS 5
/** Retry-After of a resend asked for too soon (the schemes' default interval). */
#define PC_MFA_RESEND_RETRY 30

/** The sign-in that issued a token; all borrowed. */
typedef struct pc_mfa_pending {
    const pc_tenant *tenant;
    const char *user_id;
    const char *client_id;
    const char *scope;
    const json_t *methods;
    const char *ip;
    const char *provider; /**< federation: the directory the password went through, or NULL */
} pc_mfa_pending;

/** Store a new token for `p`; *token is new (pc_free_secret). */
pc_status pc_mfa_token_issue(const pc_mfa_pending *p, char **token);
/**
 * The live record of `token` (new): PC_ERR_NOT_FOUND when unknown, expired,
 * used or dead after too many wrong codes; PC_ERR_DENIED when it belongs to
 * another client than `client_id`.
 */
pc_status pc_mfa_token_find(const pc_tenant *t, const char *token, const char *client_id,
                            json_t **rec);

/** What a successful second factor yields (members new; clear with pc_mfa_done_clear). */
typedef struct pc_mfa_done {
    json_t *user;
    json_t *amr; /**< ["pwd", the scheme's value, "mfa"] */
    char *scope;
    char *method;
    char *provider; /**< the pending sign-in's directory (pc_mfa_pending.provider), or NULL */
} pc_mfa_done;
void pc_mfa_done_clear(pc_mfa_done *d);
/**
 * The amr of a sign-in completed by a second factor (new): `first`, the first
 * step's values (NULL: ["pwd"]), then those of `mfa_amr` (["pwd", method,
 * "mfa"]) but its "pwd". A federated first step is ["fed"] or ["pwd","fed"].
 */
json_t *pc_mfa_amr_after(const json_t *first, const json_t *mfa_amr);

/**
 * Check `code` for `method` and use the token up on success. PC_OK with *done;
 * PC_ERR_DENIED: a wrong code (counted; the 5th kills the token);
 * PC_ERR_NOT_FOUND / PC_ERR_DENIED-for-client as pc_mfa_token_find (see *dead);
 * PC_ERR_INVALID: the method is not one of the token's; PC_ERR_LIMIT: throttled
 * (*retry_after set). `challenge`: the passkey challenge issued for this
 * sign-in (used once by the caller), or NULL.
 */
pc_status pc_mfa_token_redeem(const pc_tenant *t, const char *token, const char *client_id,
                              const char *method, const char *code, const char *challenge,
                              const char *ip, pc_mfa_done *done, int64_t *retry_after);
/**
 * The same for a sign-in that enrols its first factor (API.md §13 mfa_required):
 * `method`'s factor must be pending, and the right code turns it on (audited
 * mfa.enabled) in the transaction that uses the token up.
 */
pc_status pc_mfa_token_redeem_enrolment(const pc_tenant *t, const char *token,
                                        const char *client_id, const char *method, const char *code,
                                        const char *ip, pc_mfa_done *done, int64_t *retry_after);
/**
 * Send the code of an email/SMS `method` for `token`. PC_ERR_NOT_FOUND,
 * PC_ERR_DENIED (another client), PC_ERR_INVALID (no such method or no code
 * to send), PC_ERR_LIMIT (resent too soon), PC_ERR_UNAVAILABLE (not delivered).
 */
pc_status pc_mfa_token_challenge(const pc_tenant *t, const char *token, const char *client_id,
                                 const char *method, const char *ip, int64_t *retry_after);

/**
 * Passkeys at the token endpoint (issue #19): a challenge bound to this
 * sign-in and the request options for the user's passkeys; *options new JSON
 * text. Errors as pc_mfa_token_challenge.
 */
pc_status pc_mfa_token_passkey_options(const pc_tenant *t, const char *token, const char *client_id,
                                       const char *method, char **options);
/** Is a wrong-code failure throttled for this user or address? PC_ERR_LIMIT with *retry_after. */
pc_status pc_mfa_throttle_check(const pc_mfa_actor *a, int64_t *retry_after);
/** Count a wrong code (audited as mfa.failed, a lockout as mfa.locked) or clear after a right one. */
void pc_mfa_throttle_result(const pc_mfa_actor *a, pc_status rc);
#endif
