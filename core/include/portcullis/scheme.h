/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: multi-factor scheme plugins (TOTP, email, SMS, recovery codes). */
#ifndef PORTCULLIS_SCHEME_H
#define PORTCULLIS_SCHEME_H

#include "host.h"
#include "provider.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * One user's factor of this scheme as the host stores it: `secret` is
 * decrypted for the call (the host seals it at rest) and `data` is the
 * scheme's own JSON (borrowed; a scheme changes it through the call).
 */
typedef struct pc_factor {
    const char *user_id;
    const char *account;     /**< username, for labels */
    const char *issuer;      /**< tenant issuer, for labels */
    char *secret;            /**< new, set by enrol; the host frees it */
    json_t *data;            /**< owned by the host; the scheme may modify it */
} pc_factor;

/** What a scheme may ask of the host while it runs. Appeared in ABI 1.0. */
typedef struct pc_scheme_call {
    uint32_t struct_size;
    void *ctx;
    /** Deliver a message through the caller's provider of the scheme's channel. */
    pc_status (*deliver)(void *ctx, const char *to, const char *subject, const char *text);
} pc_scheme_call;

/** Scheme operations. Appeared in ABI 1.0. */
typedef struct pc_scheme_ops {
    pc_plugin base;
    /** The method name in the API: "totp", "email", "sms", "recovery_code". */
    const char *method;
    /** The amr value a success adds ("otp", "sms"), besides "mfa". */
    const char *amr;
    /** Start enrolment; `input` is the request body; *reply what the client sees (new). */
    pc_status (*enrol)(void *state, const pc_scheme_call *call, pc_factor *f,
                       const json_t *input, json_t **reply);
    /** Send a code for a sign-in (email/SMS); NULL for schemes without one. */
    pc_status (*challenge)(void *state, const pc_scheme_call *call, pc_factor *f);
    /** Check a code. PC_OK, or PC_ERR_DENIED for a wrong, expired or reused code. */
    pc_status (*verify)(void *state, const pc_scheme_call *call, pc_factor *f, const char *code);
} pc_scheme_ops;

#ifdef __cplusplus
}
#endif
#endif
