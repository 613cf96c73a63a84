/* SPDX-License-Identifier: Apache-2.0 */
/* What the files of the authorization flow share: the sealed request, browser sessions, the decision. */
#ifndef PC_OAUTH2_AUTHORIZE_INTERNAL_H
#define PC_OAUTH2_AUTHORIZE_INTERNAL_H
#include "oauth2/authorize.h"
#include "oauth2/consent.h"
#include "oauth2/login.h"

/* The validated authorization request travels between the pages as a JSON
 * object (client_id, redirect_uri, scope, state, nonce, code_challenge,
 * prompt, max_age, csrf, exp), sealed with the master key. */

/** Seal `req` for a hidden form field (new); it is good for PC_AUTHZ_FORM_TTL seconds. */
char *pc_authz_seal(const pc_tenant *t, json_t *req);
/** Open a sealed request of tenant t (new), or NULL if tampered with or expired. */
json_t *pc_authz_unseal(const pc_tenant *t, const char *sealed);
#define PC_AUTHZ_FORM_TTL 1800

/** A string member of a request, or NULL. */
const char *pc_authz_str(const json_t *req, const char *name);
/** Does the request's prompt hold `value` (OIDC Core §3.1.2.1)? */
int pc_authz_prompt_has(const json_t *req, const char *value);
/** A redirect to the client with an RFC 6749 §4.1.2.1 error; sets out. */
void pc_authz_fail(const pc_tenant *t, const json_t *req, const char *error,
                   const char *description, pc_web_out *out);
/** The page for a store that cannot answer: 503 with Retry-After, never "wrong password". */
void pc_authz_unavailable(pc_web_out *out);
/**
 * RFC 9126 §4 and RFC 9101 §5 (issue #18): when the request names a
 * request_uri or carries a request object, *resolved reads the parameters of
 * the pushed request or the verified object (*params, new), and *pushed says
 * which; otherwise *resolved is *in. Returns 0 after setting an error page.
 */
int pc_authz_resolve_request(const pc_web_in *in, pc_web_in *resolved, json_t **params, int *pushed,
                             pc_web_out *out);
/** The error page; sets out. */
void pc_authz_error_page(pc_web_out *out, unsigned status, const char *error, const char *message);
/** Load the client and check redirect_uri: on failure the error page is set and NULL returned. */
json_t *pc_authz_client(const pc_tenant *t, const char *client_id, const char *redirect_uri,
                        pc_web_out *out);

/** The login page for `req`, with a username to prefill and a message (both may be NULL). */
void pc_authz_login_page(const pc_web_in *in, pc_web_out *out, json_t *req, const char *username,
                         const char *message, unsigned status);

/** A posted form's request: sealed here, fresh, CSRF-checked; out->app set. NULL after setting the error page. */
json_t *pc_authz_form_request(const pc_web_in *in, pc_web_out *out);
/** Give a page's form its CSRF token and the sealed request. */
void pc_authz_form_tokens(const pc_web_in *in, pc_web_out *out, json_t *req);
/**
 * After a right password in the browser: when the user has a second factor,
 * start it (an mfa_token in the sealed request, the MFA page, a code sent for
 * email/SMS) and return 1; return 0 when there is none.
 */
int pc_authz_mfa_start(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *user);
/**
 * Federation (API.md §14): remember in `req`, before the second factor, the
 * provider the first step went through (NULL: a local password) and that
 * step's amr (["fed"], or ["pwd","fed"] for a directory), so that the
 * session opened after MFA or MFA setup names both.
 */
void pc_authz_first_step_set(json_t *req, const char *provider, const json_t *amr);
/** Forget what pc_authz_first_step_set() remembered. */
void pc_authz_first_step_clear(json_t *req);
/**
 * The amr of a sign-in completed by a second factor whose amr is `mfa_amr`
 * (["pwd", method, "mfa"]): the first step's amr as remembered, then the
 * factor's (new).
 */
json_t *pc_authz_first_step_amr(const json_t *req, const json_t *mfa_amr);
/**
 * mfa_required and no second factor: the setup step instead (authorize_enrol.c);
 * always answers (returns 1).
 */
int pc_authz_enrol_start(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *user);
/** A POST of the setup step (the sealed request says so); 0 when `req` is not one. */
int pc_authz_enrol_post(const pc_web_in *in, pc_web_out *out, json_t *req);

enum { PC_AUTHZ_FRESH_LOGIN = 1, PC_AUTHZ_CONSENTED = 2 };
/**
 * Continue a validated request with the browser session of `secret`: login
 * page, consent page, or a code back to the client.
 */
void pc_authz_decide(const pc_web_in *in, pc_web_out *out, json_t *req, const char *secret,
                     unsigned flags);

/** The live browser session of cookie `secret` and its user (both new), or PC_ERR_NOT_FOUND. */
pc_status pc_browser_session_find(const pc_tenant *t, const char *secret, json_t **session,
                                  json_t **user);
/** Open a browser session after sign-in with `amr` (NULL: ["pwd"]); *secret is the new cookie value. */
pc_status pc_browser_session_open(const pc_login_attempt *a, const char *user_id, const json_t *amr,
                                  char **secret);
/**
 * After a sign-in: when the browser's session `secret` is the same user's,
 * renew its auth_time and keep it (same sid, consents kept); else open a new
 * one. *new_secret is the new cookie value, or NULL when the old one stays.
 */
pc_status pc_browser_session_signed_in(const pc_login_attempt *a, const char *user_id,
                                       const json_t *amr, const char *secret, char **new_secret);
/** A consent form's one-time nonce (new), stored hashed for PC_AUTHZ_FORM_TTL; NULL on a store failure. */
char *pc_authz_consent_nonce_issue(const pc_tenant *t);
/**
 * Use a consent form's nonce up: PC_OK the first time only; PC_ERR_NOT_FOUND
 * when it was used already (or never issued); PC_ERR_STORAGE.
 */
pc_status pc_authz_consent_nonce_take(const pc_tenant *t, const char *nonce);
/**
 * Which organization the code is for (API.md §18), once signed in: the picker's
 * choice, the request's organization=, the session's remembered choice, or the
 * user's only one. 1 with `org_id` set ("" for none); 0 when a page (the picker)
 * or an error was set on out instead.
 */
int pc_authz_organization(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *session,
                          char org_id[40]);
/** The login page's passkey offer: the page fetches a challenge when the person asks for one. */
void pc_authz_passkey_offer(const pc_web_in *in, pc_web_out *out, json_t *req);
/** A cookie value of the form pc_random_token(32) makes (43 base64url characters)? */
int pc_browser_secret_valid(const char *s);
#endif
