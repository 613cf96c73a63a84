/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: identity-provider plugins (upstream OIDC, OAuth 2.0, directories). */
#ifndef PORTCULLIS_IDP_H
#define PORTCULLIS_IDP_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What an identity-provider plugin can do (pc_idp_ops.flags). Appeared in
 * ABI 1.0 (federation release).
 */
#define PC_IDP_REDIRECT 0x1u /**< begin() + finish(): the browser goes to the upstream */
#define PC_IDP_PASSWORD 0x2u /**< check_password(): a directory checks username + password */

/**
 * One sign-in through one configured provider instance, handed by the host
 * to every operation. Everything is borrowed for the call. `ctx` is the
 * host's, to pass back to param() and error(). Appeared in ABI 1.0
 * (federation release); later members are appended at the end, so check
 * struct_size before reading one that the header marks as appended.
 *
 * The host generates state, nonce and the PKCE verifier (RFC 7636, S256),
 * binds them to the browser session that started the sign-in, and checks
 * state itself before finish() is called: a plugin never stores them.
 */
typedef struct pc_idp_call {
    uint32_t struct_size;
    void *ctx;

    const char *tenant_id;
    /** The instance's name (the slug of `/identity-providers`): "corp", "github". */
    const char *provider;
    /** The instance's `config`, secrets unsealed; borrowed, never logged. */
    const json_t *config;
    /** Where the upstream sends the browser back: {issuer}/federation/{name}/callback. */
    const char *redirect_uri;
    /** Opaque random value to send as `state` (begin) and that came back (finish). */
    const char *state;
    /** Random value for the OIDC `nonce` (begin) and to compare with the ID token's (finish). */
    const char *nonce;
    /** base64url(SHA-256(code_verifier)), method S256 (begin). */
    const char *code_challenge;
    /** The PKCE verifier to send to the token endpoint (finish; NULL in begin). */
    const char *code_verifier;
    /** A query parameter of the callback request ("code", "iss", "error"), or NULL. */
    const char *(*param)(void *ctx, const char *name);
    /**
     * Say why an operation failed, in a sentence a person understands and
     * without secrets ("the upstream's ID token has the wrong issuer"). The
     * host logs it with the provider name and shows it on the error page.
     */
    void (*error)(void *ctx, const char *reason);
    /**
     * The instance's `display_name` ("Corp SSO"), for describe(). Appended in
     * the federation release: read it only when struct_size covers it.
     */
    const char *display_name;
} pc_idp_call;

/** Does `call` carry member `m` (it was appended after the plugin's header)? */
#define PC_IDP_CALL_HAS(call, m) \
    ((call)->struct_size >= offsetof(pc_idp_call, m) + sizeof((call)->m))

/**
 * An external identity, filled by finish() or check_password(). The host
 * zeroes it and sets struct_size; the plugin sets the members it knows.
 * Ownership passes to the host: `subject` is malloc()ed (the host free()s
 * it), `claims` and `groups` are new references (the host json_decref()s
 * them). Appeared in ABI 1.0 (federation release).
 */
typedef struct pc_idp_identity {
    uint32_t struct_size;
    /** The upstream's stable identifier for the person (OIDC `sub`, a DN, an id). Required. */
    char *subject;
    /**
     * User fields of API.md §11 mapped from the upstream, an object with any
     * of "username", "email", "email_verified" (boolean), "name",
     * "given_name", "family_name", "picture", "phone_number". The host
     * ignores other members and values of the wrong type.
     */
    json_t *claims;
    /**
     * Group names the directory reports for the person (e.g. LDAP group
     * DNs), an array of strings, or NULL. The host maps them to roles through
     * the instance's `config.group_roles` ({"group": "role name"}) at every
     * sign-in: the user holds each role named there exactly when one of its
     * groups is present.
     */
    json_t *groups;
    /** Non-zero when the upstream says the person used a second factor (amr "mfa"). */
    int upstream_mfa;
} pc_idp_identity;

/**
 * Identity-provider operations. An instance is configured per tenant through
 * `/api/v1/identity-providers`, whose `kind` names the plugin. Appeared in
 * ABI 1.0 (federation release).
 *
 * Return values of begin/finish/check_password: PC_OK; PC_ERR_DENIED when
 * the upstream refused the person or its answer failed a check (bad ID
 * token, issuer mix-up, wrong password); PC_ERR_NOT_FOUND (check_password)
 * when the directory has no such user; PC_ERR_UNAVAILABLE when the upstream
 * could not be reached or answered garbage (the host answers 503 and counts
 * no failed sign-in); PC_ERR_INVALID when the instance's config is unusable.
 */
typedef struct pc_idp_ops {
    pc_plugin base;
    /** The `kind` value it serves in the API: "oidc", "oauth2", "ldap". */
    const char *kind;
    /** PC_IDP_REDIRECT and/or PC_IDP_PASSWORD. */
    unsigned flags;
    /** Names of the config members that are secrets (write-only, sealed), NULL-terminated. */
    const char *const *secret_fields;
    /**
     * Validate an instance configuration when it is written. On error set
     * *field to the config member at fault ("issuer"; static, or NULL) and
     * *problem to a static sentence; the API answers 400 AUT-0009 naming
     * `config.<field>`. The host has already checked secret placeholders.
     */
    pc_status (*check_config)(void *state, const json_t *config, const char **field,
                              const char **problem);
    /**
     * Describe the instance for login pages: *out is a new object (the host
     * decrefs it) with
     *   "method": "redirect" (a button that sends the browser upstream; needs
     *             PC_IDP_REDIRECT) or "directory" (the login page's username and
     *             password are checked there; needs PC_IDP_PASSWORD), required;
     *   "icon":   optional hint for a logo, a slug of [a-z0-9-], at most 32
     *             ("google", "github", "openid", "directory");
     *   "label":  optional, at most 200 characters: the button's text
     *             ("Sign in with Corp SSO") for a redirect, or a sentence the
     *             login page shows beside the password form for a directory.
     * The host drops members that break these rules and falls back to the
     * flags and "Sign in with {display_name}" when describe is NULL, fails or
     * gives no valid method. call->config comes without its secret members,
     * and param/state/nonce are NULL: no upstream is contacted. Called for
     * every login page shown, so it must be cheap.
     */
    pc_status (*describe)(void *state, const pc_idp_call *call, json_t **out);
    /**
     * PC_IDP_REDIRECT: the URL to send the browser to (*url malloc()ed, the
     * host free()s it), carrying call->state, call->nonce and
     * call->code_challenge as the upstream understands them. May be NULL
     * for a directory.
     */
    pc_status (*begin)(void *state, const pc_idp_call *call, char **url);
    /**
     * PC_IDP_REDIRECT: finish the sign-in from the callback (call->param
     * gives its query; the host has checked `state`): redeem the code with
     * call->code_verifier, verify what came back, fill *out.
     */
    pc_status (*finish)(void *state, const pc_idp_call *call, pc_idp_identity *out);
    /**
     * PC_IDP_PASSWORD: check a username and password against the directory
     * and fill *out. Both borrowed, never logged. May be NULL for redirect kinds.
     */
    pc_status (*check_password)(void *state, const pc_idp_call *call, const char *username,
                                const char *password, pc_idp_identity *out);
} pc_idp_ops;

#ifdef __cplusplus
}
#endif
#endif
