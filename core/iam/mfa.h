/* SPDX-License-Identifier: Apache-2.0 */
/* Multi-factor factors: the scheme plugins, a user's factors (secrets sealed at rest), and running a scheme. */
#ifndef PC_IAM_MFA_H
#define PC_IAM_MFA_H
#include <portcullis/portcullis.h>
#include "iam/tenant.h"

#define PC_MFA_RECOVERY "recovery_code"
#define PC_MFA_PENDING "pending"
#define PC_MFA_ACTIVE "active"

/** Whom a scheme operation acts for; all borrowed. */
typedef struct pc_mfa_actor {
    const pc_tenant *tenant;
    const json_t *user;    /**< the user record */
    const char *client_id; /**< the calling application (its default providers), or NULL */
    const char *actor;     /**< audit actor: the user's id or a client_id */
    const char *ip;
    /* passkeys (issue #19): the sign-in ceremony's challenge the host issued, and flags */
    const char *challenge; /**< base64url, or NULL */
    unsigned scheme_flags; /**< PC_SCHEME_PASSWORDLESS, or 0 */
} pc_mfa_actor;

/** The loaded scheme plugin serving `method`, or NULL; *state receives its state. */
const pc_scheme_ops *pc_mfa_scheme(const char *method, void **state);
/** Every factor record of a user, any state (new array). */
pc_status pc_mfa_factors(const pc_tenant *t, const char *user_id, json_t **out);
/** The record of `method` among `factors` (borrowed), or NULL. */
json_t *pc_mfa_find(const json_t *factors, const char *method);
/** Is the factor record active? */
int pc_mfa_is_active(const json_t *factor);
/** {"enabled":[...],"preferred":...,"recovery_codes_left":N} for these factors (new). */
json_t *pc_mfa_status(const json_t *factors);
/**
 * The methods a sign-in may use (new array): the enabled ones, the preferred
 * first, then "recovery_code" while unused codes remain; empty when the user
 * has no enabled method (no second factor is asked then).
 */
json_t *pc_mfa_signin_methods(const json_t *factors);

/**
 * Start (or restart) enrolment in `method`, or, for a scheme that enrols at
 * once (recovery codes), replace the factor. An active factor is
 * PC_ERR_CONFLICT, except that an empty `input` for an active email/SMS
 * factor sends it a fresh code. *reply: what the client sees (new, may be
 * NULL); with PC_ERR_INVALID, the fields at fault.
 */
pc_status pc_mfa_enrol(const pc_mfa_actor *a, const char *method, const json_t *input,
                       json_t **reply);
/** Does the scheme add to an active factor (pc_scheme_ops.enrol_adds, passkeys)? */
int pc_mfa_scheme_adds(const pc_scheme_ops *ops);
/** Send a code to an active email/SMS factor (sign-in). */
pc_status pc_mfa_challenge(const pc_mfa_actor *a, const json_t *factor);
/**
 * Check `code` against factor `factor_id` inside `tx`, its row locked first so
 * that concurrent checks run one after the other (a TOTP step, a recovery
 * code, an email code is accepted once). The factor's data is written back
 * whatever the outcome. PC_OK, PC_ERR_DENIED (wrong code), PC_ERR_LIMIT
 * (the scheme is locked), PC_ERR_NOT_FOUND; *method_amr (may be NULL) gets
 * the scheme's amr value (static).
 */
pc_status pc_mfa_verify_in(pc_store_tx *tx, const pc_mfa_actor *a, const char *factor_id,
                           const char *code, const char **method_amr);
/** Mark `method` preferred (and no other), in tx. */
pc_status pc_mfa_set_preferred(pc_store_tx *tx, const pc_tenant *t, const json_t *factors,
                               const char *method);
#endif
