/* SPDX-License-Identifier: Apache-2.0 */
/* The browser-facing flows (authorization endpoint, login and consent forms, logout) as protocol decisions. */
#ifndef PC_OAUTH2_AUTHORIZE_H
#define PC_OAUTH2_AUTHORIZE_H
#include <jansson.h>
#include "iam/tenant.h"

/** What the browser is to see next. */
typedef enum pc_web_outcome {
    PC_WEB_ERROR = 0,      /**< the error page: never redirect to an unverified URI */
    PC_WEB_REDIRECT,       /**< back to the client (location) */
    PC_WEB_LOGIN,          /**< the login page */
    PC_WEB_CONSENT,        /**< the consent page */
    PC_WEB_LOGGED_OUT,     /**< the logged-out page */
    PC_WEB_MFA,            /**< the second-factor step of a sign-in */
    PC_WEB_CONFIRM_LOGOUT, /**< end_session asks whether to sign out (rendered by its endpoint) */
    PC_WEB_ENROL,          /**< mfa_required: the first second factor is set up at sign-in */
    PC_WEB_ORGANIZATION,   /**< the organization picker after sign-in (API.md §18) */
    PC_WEB_DEVICE,         /**< RFC 8628: the device page (enter the code, or the outcome) */
    PC_WEB_FEDERATION_LINK /**< linking an upstream account: the form that starts it (API.md §14) */
} pc_web_outcome;

/** One browser request as the protocol code sees it; all borrowed. */
typedef struct pc_web_in {
    pc_tenant *tenant;
    const char *ip;
    /** A request parameter (query for GET, form for POST), or NULL. */
    const char *(*param)(void *ctx, const char *name);
    void *param_ctx;
    const char *session_cookie; /**< the browser session secret, or NULL */
    const char *csrf_cookie;    /**< the CSRF cookie, or NULL */
    int posted;                 /**< a form POST (end_session tells a confirmation by it) */
} pc_web_in;

/** The decision; strings marked new are freed by pc_web_out_clear(). */
typedef struct pc_web_out {
    pc_web_outcome outcome;
    unsigned status;      /**< HTTP status of a page (0: 200) */
    char *location;       /**< PC_WEB_REDIRECT target (new) */
    const char *error;    /**< OAuth error code of an error page (static) */
    const char *message;  /**< a sentence for the person (static), or NULL; on the consent
                               page, that the application asks for more than before */
    json_t *app;          /**< the client's record when known (owned) */
    json_t *user;         /**< the signed-in user, for the consent and sign-out pages (owned) */
    char *request;        /**< the sealed authorization request for a form (new) */
    char *csrf;           /**< the form's CSRF token (new) */
    int set_csrf;         /**< csrf is new: set the CSRF cookie */
    char *scope;          /**< what the consent page asks for: what is not approved yet (new) */
    char *username;       /**< login page: username to prefill (new) */
    char *session_cookie; /**< a new browser session secret: set the cookie (new) */
    int clear_session;    /**< clear the session cookie */
    int64_t retry_after;  /**< > 0: send Retry-After */
    char *mfa_method;     /**< MFA step: the method asked for (new) */
    json_t *mfa_methods;  /**< MFA step: the sign-in's methods, preferred first (owned) */
    const char *notice;   /**< MFA step: a status sentence ("a code was sent"), static */
    json_t *page_vars;    /**< more values for the page (strings), or NULL (owned) */
    json_t *orgs;         /**< organization picker: [{"id","slug","name"}] (owned) */
    /* ---- device authorization (RFC 8628) ---- */
    char *user_code;           /**< device page: the code to prefill (new) */
    const char *device_result; /**< device page: NULL (the form), "approved" or "denied" */
    char *passkey_options;     /**< MFA page: passkey request options, JSON (new) */
    int passkey_offered;       /**< login page: offer passkeys (options fetched on demand) */
} pc_web_out;

void pc_web_out_clear(pc_web_out *out);

/** GET/POST /oauth2/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2, RFC 7636 §4.3). */
void pc_oauth2_authorize(const pc_web_in *in, pc_web_out *out);
/** POST of the login form: username, password, request, csrf. */
void pc_oauth2_authorize_login(const pc_web_in *in, pc_web_out *out);
/** POST of the MFA form: code (or resend, or switch to another method), method, request, csrf. */
void pc_oauth2_authorize_mfa(const pc_web_in *in, pc_web_out *out);
/** POST of the login page's passkey form: credential (AuthenticationResponseJSON), request, csrf. */
void pc_oauth2_authorize_passkey(const pc_web_in *in, pc_web_out *out);
/**
 * POST of the login page's passkey/options call (request, csrf): a fresh single-use challenge
 * for this sign-in, only when the person asks for a passkey. The HTTP status; *reply (new) is
 * {"publicKey": request options, "request": the form's request sealed with the challenge}, or
 * an OAuth error body.
 */
unsigned pc_oauth2_authorize_passkey_options(const pc_web_in *in, json_t **reply);
/** POST of the consent form: approve or deny, request, csrf. */
void pc_oauth2_authorize_consent(const pc_web_in *in, pc_web_out *out);
/** POST of the organization picker (API.md §18): organization, remember, request, csrf. */
void pc_oauth2_authorize_organization(const pc_web_in *in, pc_web_out *out);
/** GET {issuer}/ui/device (RFC 8628 §3.3): the form asking for the user code (user_code prefills). */
void pc_oauth2_device_page(const pc_web_in *in, pc_web_out *out);
/** POST {issuer}/ui/device: user_code, csrf; then sign-in and consent as for /oauth2/authorize. */
void pc_oauth2_device_verify(const pc_web_in *in, pc_web_out *out);
#endif
