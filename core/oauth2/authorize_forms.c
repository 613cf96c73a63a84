/* SPDX-License-Identifier: Apache-2.0 */
/* The login and consent forms posted back to the authorization endpoint: CSRF-checked, throttled sign-in. */
#include "oauth2/authorize_internal.h"
#include "oauth2/device.h"
#include "util/crypto.h"

#include <string.h>

static const char *param(const pc_web_in *in, const char *name)
{
    return in->param(in->param_ctx, name);
}

/* A posted form's request: sealed by this server, fresh, and sent by the browser it was shown to. */
json_t *pc_authz_form_request(const pc_web_in *in, pc_web_out *out)
{
    const char *form_csrf = param(in, "csrf");
    json_t *req = pc_authz_unseal(in->tenant, param(in, "request"));
    const char *csrf = pc_authz_str(req, "csrf");

    if (csrf == NULL || form_csrf == NULL || in->csrf_cookie == NULL ||
        !pc_ct_streq(csrf, form_csrf) || !pc_ct_streq(csrf, in->csrf_cookie)) {
        json_decref(req);
        pc_authz_error_page(out, 400, "invalid_request",
                            "This form has expired or was not sent from this browser. "
                            "Go back to the application and sign in again.");
        return NULL;
    }
    /* The client may have changed since the form was shown. */
    out->app = pc_device_request(req) /* RFC 8628: no redirect URI */
                   ? pc_device_client(in->tenant, req, out)
                   : pc_authz_client(in->tenant, pc_authz_str(req, "client_id"),
                                     pc_authz_str(req, "redirect_uri"), out);
    if (out->app == NULL) {
        json_decref(req);
        return NULL;
    }
    return req;
}

static void login_failed(const pc_web_in *in, pc_web_out *out, json_t *req, pc_status rc,
                         const char *refusal)
{
    const char *username = param(in, "username");

    if (rc == PC_ERR_LIMIT)
        pc_authz_login_page(in, out, req, username,
                            "Too many failed sign-ins. Wait a while, then try again.", 429);
    else if (rc == PC_ERR_INVALID)
        pc_authz_login_page(in, out, req, username, "Enter your username and your password.", 400);
    else if (rc == PC_ERR_DENIED)
        pc_authz_login_page(in, out, req, username, "Wrong username or password.", 401);
    else if (rc == PC_ERR_CONFLICT && refusal != NULL) /* a directory's person, nobody here */
        pc_authz_error_page(out, 403, "access_denied", refusal);
    else if (rc == PC_ERR_CONFLICT)
        pc_authz_login_page(in, out, req, username,
                            "This account is disabled. Ask your administrator.", 403);
    else if (rc == PC_ERR_STORAGE)
        pc_authz_unavailable(out);
    else if (rc == PC_ERR_INTERNAL) /* a directory misconfigured here (logged) */
        pc_authz_error_page(out, 500, "server_error",
                            "The sign-in with your directory account is not configured correctly. "
                            "Tell your administrator.");
    else if (rc == PC_ERR_UNAVAILABLE) { /* a directory (API.md §14) that cannot be reached */
        pc_authz_error_page(out, 503, "temporarily_unavailable",
                            "The directory that checks your password cannot be reached right now. "
                            "Try again in a few moments.");
        out->retry_after = 30;
    } else
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
}

void pc_oauth2_authorize_login(const pc_web_in *in, pc_web_out *out)
{
    json_t *req, *user = NULL;
    pc_login_attempt a = {.tenant = in->tenant,
                          .ip = in->ip,
                          .username = param(in, "username"),
                          .password = param(in, "password")};
    char *secret = NULL;
    pc_login_via via;
    json_t *amr = NULL;
    pc_status rc;

    memset(out, 0, sizeof *out);
    req = pc_authz_form_request(in, out);
    if (req == NULL)
        return;
    a.client_id = pc_authz_str(req, "client_id");
    rc = pc_login_check_via(&a, &user, &out->retry_after, &via);
    a.provider = rc == PC_OK && *via.provider ? via.provider : NULL;
    /* amr "pwd", and "fed" when a directory checked it (API.md §14), through MFA as well */
    amr = a.provider ? json_pack("[s,s]", "pwd", "fed") : NULL;
    pc_authz_first_step_set(req, a.provider, amr);
    /* A second factor comes before any session (API.md §9). */
    if (rc == PC_OK && pc_authz_mfa_start(in, out, req, user))
        goto out;
    pc_authz_first_step_clear(req);
    if (rc == PC_OK)
        rc = pc_browser_session_signed_in(&a, json_string_value(json_object_get(user, "id")), amr,
                                          in->session_cookie, &secret);
    else
        login_failed(in, out, req, rc, via.refusal);
    if (rc == PC_OK) {
        out->session_cookie = secret;
        pc_authz_decide(in, out, req, secret ? secret : in->session_cookie, PC_AUTHZ_FRESH_LOGIN);
    } else if (user != NULL && rc == PC_ERR_STORAGE) {
        pc_authz_unavailable(out);
    } else if (user != NULL) {
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
    }
out:
    json_decref(amr);
    json_decref(user);
    json_decref(req);
}

/* The consent form is good once (its nonce is used up here) and only in the session it was shown in. */
static int consent_form_fresh(const pc_web_in *in, pc_web_out *out, const json_t *req)
{
    pc_status rc = pc_authz_consent_nonce_take(in->tenant, pc_authz_str(req, "consent_nonce"));

    if (rc == PC_OK)
        return 1;
    if (rc == PC_ERR_STORAGE)
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
    else
        pc_authz_error_page(out, 400, "invalid_request",
                            "This consent form was already used. Go back to the application "
                            "and sign in again.");
    return 0;
}

static void consent_approved(const pc_web_in *in, pc_web_out *out, json_t *req,
                             const json_t *session)
{
    const char *sid = pc_authz_str(session, "id"), *shown_in = pc_authz_str(req, "consent_sid");

    /* Signed in as someone else since the form was shown: ask that person. */
    if (shown_in == NULL || strcmp(shown_in, sid) != 0) {
        pc_authz_decide(in, out, req, in->session_cookie, 0);
        return;
    }
    /* Kept per person, beyond this session: signing out does not forget it. */
    if (pc_consent_grant(in->tenant, pc_authz_str(session, "user_id"),
                         pc_authz_str(req, "client_id"), pc_authz_str(req, "scope")) != PC_OK) {
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
        return;
    }
    pc_authz_decide(in, out, req, in->session_cookie, PC_AUTHZ_CONSENTED);
}

void pc_oauth2_authorize_consent(const pc_web_in *in, pc_web_out *out)
{
    json_t *req, *session = NULL, *user = NULL;

    memset(out, 0, sizeof *out);
    req = pc_authz_form_request(in, out);
    if (req == NULL)
        return;
    if (param(in, "approve") == NULL && param(in, "deny") == NULL) {
        pc_authz_error_page(out, 400, "invalid_request",
                            "Choose whether to allow or deny the application.");
    } else if (!consent_form_fresh(in, out, req)) {
        /* a replayed form: refused, and no second code */
    } else if (param(in, "deny") != NULL && pc_device_request(req)) {
        pc_device_deny(in, out, req); /* RFC 8628 §3.5: the device is told access_denied */
    } else if (param(in, "deny") != NULL) {
        /* RFC 6749 §4.1.2.1 */
        pc_authz_fail(in->tenant, req, "access_denied", "the user denied the request", out);
    } else if (pc_browser_session_find(in->tenant, in->session_cookie, &session, &user) != PC_OK) {
        pc_authz_decide(in, out, req, NULL, 0); /* signed out meanwhile: sign in again */
    } else {
        consent_approved(in, out, req, session);
    }
    json_decref(session);
    json_decref(user);
    json_decref(req);
}
