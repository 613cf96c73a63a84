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
 * scheme's own JSON (borrowed; a scheme changes it through the call). The
 * host persists `data` after every operation, also after a refused code, so
 * that counters and replay markers survive. Two members of `data` have a
 * meaning for the host: "preferred" (boolean, set by the host) and
 * "remaining" (integer: unused codes of a scheme with a finite set, such as
 * recovery codes; the host lists such a method only while it is above 0).
 */
typedef struct pc_factor {
    const char *user_id;
    const char *account; /**< username, for labels */
    const char *issuer;  /**< tenant issuer, for labels */
    char *secret;        /**< new, set by enrol; the host frees it */
    json_t *data;        /**< owned by the host; the scheme may modify it */
} pc_factor;

/** What a scheme may ask of the host while it runs. Appeared in ABI 1.0. */
typedef struct pc_scheme_call {
    uint32_t struct_size;
    void *ctx;
    /** Deliver a message through the caller's provider of the scheme's channel. */
    pc_status (*deliver)(void *ctx, const char *to, const char *subject, const char *text);

    /* Appended in ABI 1.0 (multi-factor release); check struct_size before use. */

    /** The tenant's settings for this scheme (tenant settings "mfa".<method>); borrowed, may be NULL. */
    const json_t *settings;
    /** The tenant's display name, for labels and messages. */
    const char *tenant_name;
    /**
     * Deliver a message with its template variables (pc_message.vars): the
     * provider may render its own templates from them. Borrowed for the call.
     */
    pc_status (*deliver_message)(void *ctx, const pc_message *msg);
    /**
     * Record an audit event about this factor's user ("recovery.locked"); the
     * host writes it in the transaction of the operation. details borrowed.
     */
    void (*audit)(void *ctx, const char *type, const json_t *details);

    /* ---- Appended for passkeys (issue #19, ABI 1.0): check struct_size before use. ---- */

    /**
     * The challenge (base64url) the host issued for this sign-in ceremony and
     * uses once, or NULL when none was issued (enrolment keeps its own).
     */
    const char *challenge;
    /** PC_SCHEME_PASSWORDLESS, or 0. */
    unsigned flags;
    /* ---- end of passkeys ---- */
} pc_scheme_call;

/** The response must name its user by itself (a discoverable credential) and verify the user. */
#define PC_SCHEME_PASSWORDLESS 1u

/** Scheme operations. Appeared in ABI 1.0. */
typedef struct pc_scheme_ops {
    pc_plugin base;
    /** The method name in the API: "totp", "email", "sms", "recovery_code". */
    const char *method;
    /** The amr value a success adds ("otp", "sms"), besides "mfa". */
    const char *amr;
    /** Start enrolment; `input` is the request body; *reply what the client sees (new). */
    pc_status (*enrol)(void *state, const pc_scheme_call *call, pc_factor *f, const json_t *input,
                       json_t **reply);
    /** Send a code for a sign-in (email/SMS); NULL for schemes without one. */
    pc_status (*challenge)(void *state, const pc_scheme_call *call, pc_factor *f);
    /** Check a code. PC_OK, or PC_ERR_DENIED for a wrong, expired or reused code. */
    pc_status (*verify)(void *state, const pc_scheme_call *call, pc_factor *f, const char *code);

    /* Appended in ABI 1.0 (multi-factor release): read only when struct_size covers them. */

    /** The provider kind the scheme delivers through ("email", "sms"), or NULL for none. */
    const char *channel;
    /**
     * Enrolment completes without a verify step (recovery codes): the factor is
     * active as soon as enrol() succeeds.
     */
    int enrol_activates;

    /* ---- Appended for passkeys (issue #19, ABI 1.0): read only when struct_size covers them. ---- */

    /**
     * Enrolment adds to an active factor (several passkeys): enrol() and the
     * verification of an enrolment run on the active factor, which stays active.
     */
    int enrol_adds;
    /**
     * What the browser needs to sign in with call->challenge (*reply new): for
     * the credentials of `f`, or for any discoverable one when call->flags has
     * PC_SCHEME_PASSWORDLESS. NULL for schemes whose codes are typed. A
     * successful verify() may set the data member "amr" (a string, RFC 8176)
     * to say which amr value this sign-in earned instead of the static `amr`.
     */
    pc_status (*sign_in_options)(void *state, const pc_scheme_call *call, const pc_factor *f,
                                 json_t **reply);
    /* ---- end of passkeys ---- */
} pc_scheme_ops;

#ifdef __cplusplus
}
#endif
#endif
