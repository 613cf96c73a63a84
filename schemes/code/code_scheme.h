/* SPDX-License-Identifier: Apache-2.0 */
/* One-time codes sent by a provider (email, SMS): what the two scheme plugins share. */
#ifndef PC_CODE_SCHEME_H
#define PC_CODE_SCHEME_H

#include <portcullis/portcullis.h>

/** What differs between the email and the SMS scheme. */
typedef struct code_scheme {
    const char *method;       /**< "email", "sms" */
    const char *dest_field;   /**< the enrolment body's member: "email", "phone_number" */
    const char *dest_problem; /**< why a destination is refused, for the API */
    int (*dest_valid)(const char *dest);
    const char *default_subject; /**< NULL for SMS */
    const char *default_text;    /**< with {{code}}, {{minutes}}, {{tenant}} */
} code_scheme;

/** Remember the host services (from init). */
void code_scheme_init(const pc_host *host);
/** Enrolment: send a code to the body's destination; verify() then confirms it. */
pc_status code_enrol(const code_scheme *cs, const pc_scheme_call *call, pc_factor *f,
                     const json_t *input, json_t **reply);
/** Sign-in: send a fresh code to the enrolled destination. */
pc_status code_challenge(const code_scheme *cs, const pc_scheme_call *call, pc_factor *f);
/** Check a code: single use, expiring, a bounded number of attempts. */
pc_status code_verify(const code_scheme *cs, const pc_scheme_call *call, pc_factor *f,
                      const char *code);

/*
 * The scheme operations of a plugin built on this: its state is its own
 * code_scheme, set by code_scheme_start() from its init().
 */
pc_status code_scheme_start(const code_scheme *cs, const pc_host *host, void **state);
pc_status code_scheme_enrol_op(void *state, const pc_scheme_call *call, pc_factor *f,
                               const json_t *input, json_t **reply);
pc_status code_scheme_challenge_op(void *state, const pc_scheme_call *call, pc_factor *f);
pc_status code_scheme_verify_op(void *state, const pc_scheme_call *call, pc_factor *f,
                                const char *code);
/** {{name}} replaced by the string members of vars (unknown names vanish); new string. */
char *code_render(const char *tpl, const json_t *vars);
#endif
