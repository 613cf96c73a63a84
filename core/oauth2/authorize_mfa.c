/* SPDX-License-Identifier: Apache-2.0 */
/* The second-factor step of browser sign-in: after the password, before any session (API.md §9). */
#include "oauth2/authorize_internal.h"
#include "oauth2/mfa_token.h"
#include "oauth2/passkey.h"
#include "server/store.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static const char *param(const pc_web_in *in, const char *name)
{
    return in->param(in->param_ctx, name);
}

static int sends_codes(const char *method)
{
    void *state = NULL;
    const pc_scheme_ops *ops = pc_mfa_scheme(method, &state);

    return ops != NULL && ops->challenge != NULL;
}

/* A passkey's step carries a fresh single-use challenge (sealed in the request) and its options. */
static void passkey_ready(const pc_web_in *in, pc_web_out *out, json_t *req)
{
    json_t *rec = NULL, *user = NULL, *factors = NULL;
    const char *user_id;
    char *challenge = NULL;

    free(out->passkey_options);
    out->passkey_options = NULL;
    json_object_del(req, "passkey_challenge");
    if (pc_mfa_token_find(in->tenant, pc_authz_str(req, "mfa_token"),
                          pc_authz_str(req, "client_id"), &rec) != PC_OK)
        return;
    user_id = json_string_value(json_object_get(rec, "user_id"));
    if (pc_db_get(NULL, PC_ENT_USER, in->tenant->id, "id", user_id, &user) == PC_OK &&
        pc_mfa_factors(in->tenant, user_id, &factors) == PC_OK &&
        (challenge = pc_passkey_challenge_issue(in->tenant, pc_authz_str(req, "mfa_token"))) !=
            NULL) {
        out->passkey_options = pc_passkey_options(
            in->tenant, user, pc_mfa_find(factors, PC_PASSKEY_METHOD), challenge);
        json_object_set_new(req, "passkey_challenge", json_string(challenge));
    }
    free(challenge);
    json_decref(factors);
    json_decref(user);
    json_decref(rec);
}

static int is_passkey(const char *method)
{
    void *state = NULL;

    return method != NULL && pc_passkey_scheme(method, &state) != NULL;
}

/* The MFA page for `method` (one of `methods`, borrowed), with a sentence and a status. */
static void mfa_page(const pc_web_in *in, pc_web_out *out, json_t *req, const char *method,
                     const json_t *methods, const char *message, unsigned status)
{
    out->outcome = PC_WEB_MFA;
    out->status = status;
    out->message = message;
    free(out->mfa_method);
    out->mfa_method = pc_strdup(method);
    json_decref(out->mfa_methods);
    out->mfa_methods = json_deep_copy(methods);
    if (is_passkey(method))
        passkey_ready(in, out, req);
    pc_authz_form_tokens(in, out, req);
}

/* Send the code of an email/SMS method and say so; a failure is said on the page. */
static void send_code(const pc_web_in *in, pc_web_out *out, json_t *req, const char *method,
                      const json_t *methods)
{
    int64_t retry = 0;
    pc_status rc = pc_mfa_token_challenge(in->tenant, pc_authz_str(req, "mfa_token"),
                                          pc_authz_str(req, "client_id"), method, in->ip, &retry);

    if (rc == PC_OK)
        out->notice = strcmp(method, "sms") == 0 ? "We sent a code to your phone."
                                                 : "We sent you a code by email.";
    if (rc == PC_OK)
        mfa_page(in, out, req, method, methods, NULL, 200);
    else if (rc == PC_ERR_LIMIT)
        mfa_page(in, out, req, method, methods,
                 "A code was sent moments ago. Wait a little before asking again.", 429);
    else
        mfa_page(in, out, req, method, methods,
                 "The code could not be sent. Try again later or use another method.", 503);
}

int pc_authz_mfa_start(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *user)
{
    const char *user_id = json_string_value(json_object_get(user, "id"));
    json_t *factors = NULL, *methods;
    char *token = NULL;
    pc_mfa_pending p = {.tenant = in->tenant,
                        .user_id = user_id,
                        .client_id = pc_authz_str(req, "client_id"),
                        .scope = pc_authz_str(req, "scope"),
                        .ip = in->ip};
    const char *first;

    /* Anything but a sure "no second factor" stops here: never a session by mistake. */
    if (pc_mfa_factors(in->tenant, user_id, &factors) != PC_OK) {
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
        return 1;
    }
    methods = pc_mfa_signin_methods(factors);
    json_decref(factors);
    if (json_array_size(methods) == 0) {
        json_decref(methods);
        /* API.md §13 mfa_required: the first factor is set up before any session */
        return in->tenant->mfa_required ? pc_authz_enrol_start(in, out, req, user) : 0;
    }
    p.methods = methods;
    if (pc_mfa_token_issue(&p, &token) != PC_OK) {
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
    } else {
        json_object_set_new(req, "mfa_token", json_string(token));
        first = json_string_value(json_array_get(methods, 0));
        if (sends_codes(first))
            send_code(in, out, req, first, methods);
        else
            mfa_page(in, out, req, first, methods, NULL, 200);
    }
    pc_free_secret(token);
    json_decref(methods);
    return 1;
}

void pc_authz_first_step_set(json_t *req, const char *provider, const json_t *amr)
{
    pc_authz_first_step_clear(req);
    if (provider == NULL)
        return;
    json_object_set_new(req, "idp", json_string(provider));
    json_object_set(req, "first_amr", (json_t *)amr);
}

void pc_authz_first_step_clear(json_t *req)
{
    json_object_del(req, "idp");
    json_object_del(req, "first_amr");
}

json_t *pc_authz_first_step_amr(const json_t *req, const json_t *mfa_amr)
{
    return pc_mfa_amr_after(json_object_get(req, "first_amr"), mfa_amr);
}

/* Signed in with both factors: the browser session, then the usual decision (consent or code). */
static void signed_in(const pc_web_in *in, pc_web_out *out, json_t *req, const pc_mfa_done *done)
{
    pc_login_attempt a = {.tenant = in->tenant,
                          .ip = in->ip,
                          .client_id = pc_authz_str(req, "client_id"),
                          .provider = pc_authz_str(req, "idp")};
    char *secret = NULL;
    json_t *amr = pc_authz_first_step_amr(req, done->amr);
    pc_status rc;

    json_object_del(req, "mfa_token");
    rc = pc_browser_session_signed_in(&a, json_string_value(json_object_get(done->user, "id")), amr,
                                      in->session_cookie, &secret);
    json_decref(amr);
    pc_authz_first_step_clear(req);
    if (rc != PC_OK) {
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
        return;
    }
    out->session_cookie = secret;
    pc_authz_decide(in, out, req, secret ? secret : in->session_cookie, PC_AUTHZ_FRESH_LOGIN);
}

static void verify(const pc_web_in *in, pc_web_out *out, json_t *req, const char *method,
                   const json_t *methods)
{
    pc_mfa_done done = {0};
    const char *challenge = is_passkey(method) ? pc_authz_str(req, "passkey_challenge") : NULL;
    pc_status rc = PC_OK;

    /* A passkey answers one challenge once (WebAuthn L2 §13.4.3). */
    if (challenge != NULL || is_passkey(method))
        rc = pc_passkey_challenge_take(in->tenant, challenge, pc_authz_str(req, "mfa_token"));
    if (rc == PC_ERR_NOT_FOUND) {
        mfa_page(in, out, req, method, methods, "This passkey request expired. Try again.", 401);
        return;
    }
    if (rc == PC_OK)
        rc = pc_mfa_token_redeem(in->tenant, pc_authz_str(req, "mfa_token"),
                                 pc_authz_str(req, "client_id"), method, param(in, "code"),
                                 challenge, in->ip, &done, &out->retry_after);
    if (rc == PC_OK)
        signed_in(in, out, req, &done);
    else if (rc == PC_ERR_DENIED && challenge != NULL)
        mfa_page(in, out, req, method, methods,
                 "That passkey was not accepted. Try again or use another method.", 401);
    else if (rc == PC_ERR_DENIED)
        mfa_page(in, out, req, method, methods, "That code is not right. Try again.", 401);
    else if (rc == PC_ERR_LIMIT)
        mfa_page(in, out, req, method, methods,
                 "Too many wrong codes. Wait a while, then try again.", 429);
    else if (rc == PC_ERR_NOT_FOUND)
        pc_authz_login_page(in, out, req, NULL,
                            "Your sign-in expired or had too many wrong codes. Sign in again.",
                            401);
    else
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
    pc_mfa_done_clear(&done);
}

static int listed(const json_t *methods, const char *method)
{
    size_t i;
    json_t *m;

    json_array_foreach (methods, i, m)
        if (method != NULL && strcmp(json_string_value(m), method) == 0)
            return 1;
    return 0;
}

void pc_oauth2_authorize_mfa(const pc_web_in *in, pc_web_out *out)
{
    json_t *req, *rec = NULL, *methods;
    const char *method = param(in, "switch") ? param(in, "switch") : param(in, "method");

    memset(out, 0, sizeof *out);
    req = pc_authz_form_request(in, out);
    if (req == NULL)
        return;
    if (pc_authz_enrol_post(in, out, req))
        goto out;
    if (pc_mfa_token_find(in->tenant, pc_authz_str(req, "mfa_token"),
                          pc_authz_str(req, "client_id"), &rec) != PC_OK) {
        json_object_del(req, "mfa_token");
        pc_authz_login_page(in, out, req, NULL, "Your sign-in expired. Sign in again.", 401);
        goto out;
    }
    methods = json_object_get(rec, "methods");
    if (!listed(methods, method))
        method = json_string_value(json_array_get(methods, 0));
    /* Switching to a method that sends codes, or asking again, sends one. */
    if ((param(in, "switch") != NULL || param(in, "resend") != NULL) && sends_codes(method))
        send_code(in, out, req, method, methods);
    else if (param(in, "switch") != NULL)
        mfa_page(in, out, req, method, methods, NULL, 200);
    else
        verify(in, out, req, method, methods);
out:
    json_decref(rec);
    json_decref(req);
}
