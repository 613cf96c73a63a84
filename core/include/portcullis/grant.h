/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: grant-type plugins at the token endpoint. */
#ifndef PORTCULLIS_GRANT_H
#define PORTCULLIS_GRANT_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What a grant plugin may ask of the token request it handles. `ctx` is the
 * host's, to pass back to every function. The client has already been
 * authenticated by the host and is allowed to use this grant type. Strings
 * returned are borrowed for the call. Appeared in ABI 1.0.
 *
 * A plugin decides *who* the token is for; the host alone mints, signs,
 * stores and revokes tokens.
 */
typedef struct pc_grant_call {
    uint32_t struct_size;
    void *ctx;

    /** A form parameter of the request, or NULL. */
    const char *(*param)(void *ctx, const char *name);
    /** The authenticated client: its client_id and whether it is public. */
    const char *client_id;
    int client_is_public;

    /**
     * Settle the scope: intersect the requested scope (NULL means the
     * client's default) with what the client may ask; PC_ERR_DENIED if an
     * asked scope is not allowed (the host answers invalid_scope).
     */
    pc_status (*scope_grant)(void *ctx, const char *requested);
    /** The token is for the client itself (client_credentials). */
    pc_status (*subject_client)(void *ctx);
    /**
     * Check a user's password (throttled, audited and timed by the host); on
     * success the token is for that user with amr "pwd", in a new session.
     * PC_ERR_DENIED: wrong credentials; PC_ERR_LIMIT: throttled.
     */
    pc_status (*subject_password)(void *ctx, const char *username, const char *password);
    /**
     * Redeem a refresh token of this client: on success the subject, scope,
     * session and amr are those it carried, and a replay revokes its family.
     */
    pc_status (*subject_refresh)(void *ctx, const char *refresh_token);
    /** Ask for a refresh token beside the access token (the client must hold the grant). */
    void (*want_refresh)(void *ctx);
    /** Set the OAuth error returned when handle() does not return PC_OK. */
    void (*error)(void *ctx, const char *error, const char *description);
    /**
     * Redeem an authorization code issued to this client (RFC 6749 §4.1.3):
     * single use, bound to redirect_uri and to the PKCE challenge (RFC 7636
     * §4.6; code_verifier may be NULL when none was sent). On success the
     * subject, scope, session, amr and nonce are the code's; a second
     * redemption fails and revokes what the first one issued. Appeared in
     * ABI 1.0: present when struct_size covers it.
     */
    pc_status (*subject_code)(void *ctx, const char *code, const char *redirect_uri,
                              const char *code_verifier);
    /**
     * Complete a sign-in that answered mfa_required: `mfa_token` must have
     * been issued to this client, be unexpired, unused and have fewer than 5
     * wrong codes; `code` is checked by the scheme of `method`. On success the
     * token is used up, the subject and scope are those of the password step,
     * amr gains the scheme's value and "mfa", and a session is opened. A wrong
     * code is PC_ERR_DENIED (invalid_grant, counted); PC_ERR_LIMIT when
     * throttled. Appeared in ABI 1.0 (multi-factor release): present when
     * struct_size covers it.
     */
    pc_status (*subject_mfa)(void *ctx, const char *mfa_token, const char *method,
                             const char *code);
    /**
     * RFC 8693 token exchange. `subject_token` must be a live access token of
     * this tenant (else PC_ERR_DENIED, invalid_grant). Without
     * `requested_subject` the token is for the subject token's own subject,
     * with the request's `scope` (default: the subject token's) narrowed to
     * the subject token's and expiring no later (down-scoping). With it
     * (impersonation, API.md §16) the subject token must be a user's holding
     * users:impersonate, `reason` is required, the target (a user id or
     * username) must not hold more than the caller; the token is for the
     * target, at most one hour, with "act":{"sub":caller}, audited as
     * impersonation.started. The host sets the RFC 8693 error and status.
     * Appeared in ABI 1.0 (authorization release): present when struct_size
     * covers it.
     */
    pc_status (*subject_exchange)(void *ctx, const char *subject_token,
                                  const char *requested_subject, const char *reason);
    /* ---- organizations (API.md §18) ---- */
    /**
     * Complete a sign-in that answered organization_required: `organization_token`
     * must have been issued to this client, be unexpired and unused; `organization`
     * (a slug or an id) must be one the user is a member of (else PC_ERR_INVALID,
     * invalid_request). On success the token is used up and the subject, scope,
     * session and amr are those of the sign-in, scoped to that organization.
     * Appeared in ABI 1.0 (organizations release): present when struct_size covers it.
     */
    pc_status (*subject_organization)(void *ctx, const char *organization_token,
                                      const char *organization);
    /* ---- device authorization (issue #18) ---- */
    /**
     * RFC 8628 §3.4/§3.5: poll with a device_code issued to this client at
     * the device authorization endpoint. While the person has not decided the
     * host sets authorization_pending (or slow_down when polled faster than
     * the interval, which then grows by 5 s), access_denied when they denied,
     * expired_token once it expired, and returns PC_ERR_DENIED; once approved,
     * the token is for that person with the scope approved, once. Appeared in
     * ABI 1.0 (protocol breadth release): present when struct_size covers it.
     */
    pc_status (*subject_device)(void *ctx, const char *device_code);
} pc_grant_call;

/** Grant plugin operations. Appeared in ABI 1.0. */
typedef struct pc_grant_ops {
    pc_plugin base;
    /** The grant_type value it serves ("password", "urn:..."). */
    const char *grant_type;
    /**
     * Handle one token request. PC_OK: the host mints the tokens. Otherwise
     * the host answers with the error set through call->error() (default
     * invalid_grant) and the matching RFC 6749 status.
     */
    pc_status (*handle)(void *state, const pc_grant_call *call);
} pc_grant_ops;

#ifdef __cplusplus
}
#endif
#endif
