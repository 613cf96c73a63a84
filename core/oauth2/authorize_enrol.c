/* SPDX-License-Identifier: Apache-2.0 */
/* mfa_required at browser sign-in: a user without a second factor sets one up before the authorization completes. */
#include "oauth2/authorize_internal.h"
#include "iam/audit.h"
#include "oauth2/mfa_token.h"
#include "oauth2/redirect.h"
#include "server/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static const char *param(const pc_web_in *in, const char *name)
{
    return in->param(in->param_ctx, name);
}

static void oops(pc_web_out *out)
{
    pc_authz_error_page(out, 500, "server_error",
                        "Something went wrong on our side. Try again later.");
}

static int loaded(const char *method)
{
    void *state = NULL;

    return pc_mfa_scheme(method, &state) != NULL;
}

/* The methods this user can set up here: TOTP, and email or SMS to the address on file. */
static json_t *offered(const json_t *user)
{
    json_t *m = json_array();

    if (loaded("totp"))
        json_array_append_new(m, json_string("totp"));
    if (loaded("email") && json_is_string(json_object_get(user, "email")))
        json_array_append_new(m, json_string("email"));
    if (loaded("sms") && json_is_string(json_object_get(user, "phone_number")))
        json_array_append_new(m, json_string("sms"));
    return m;
}

/* The enrolment page for `method`: a fresh secret (TOTP) or a code sent (email, SMS). */
static void setup_page(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *user,
                       const char *method, const json_t *methods, const char *message)
{
    pc_mfa_actor a = {.tenant = in->tenant,
                      .user = user,
                      .client_id = pc_authz_str(req, "client_id"),
                      .actor = json_string_value(json_object_get(user, "id")),
                      .ip = in->ip};
    int totp = strcmp(method, "totp") == 0;
    json_t *input =
        totp ? json_object()
             : json_pack(
                   "{s:O}", strcmp(method, "sms") == 0 ? "phone_number" : "email",
                   json_object_get(user, strcmp(method, "sms") == 0 ? "phone_number" : "email"));
    json_t *reply = NULL;
    pc_status rc = pc_mfa_enrol(&a, method, input, &reply);
    char *svg = NULL;

    json_decref(input);
    if (rc != PC_OK && !totp) {
        message = "The code could not be sent. Try again later or choose another way.";
        if (strcmp(json_string_value(json_array_get(methods, 0)), method) != 0)
            return setup_page(in, out, req, user, json_string_value(json_array_get(methods, 0)),
                              methods, message);
    } else if (rc != PC_OK) {
        json_decref(reply);
        return oops(out);
    }
    out->outcome = PC_WEB_ENROL;
    out->status = message ? 400 : 200;
    out->message = message;
    out->mfa_method = pc_strdup(method);
    out->mfa_methods = json_deep_copy(methods);
    if (rc == PC_OK && !totp)
        out->notice = strcmp(method, "sms") == 0 ? "We sent a code to your phone."
                                                 : "We sent you a code by email.";
    svg = totp ? pc_url_encode(json_string_value(json_object_get(reply, "qr_svg"))) : NULL;
    out->page_vars = json_pack("{s:s?,s:O?,s:s}", "qr", svg, "secret",
                               totp ? json_object_get(reply, "secret") : NULL, "setup", "1");
    free(svg);
    json_decref(reply);
    pc_authz_form_tokens(in, out, req);
}

int pc_authz_enrol_start(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *user)
{
    json_t *methods = offered(user);
    char *token = NULL;
    pc_mfa_pending p = {.tenant = in->tenant,
                        .user_id = json_string_value(json_object_get(user, "id")),
                        .client_id = pc_authz_str(req, "client_id"),
                        .scope = pc_authz_str(req, "scope"),
                        .methods = methods,
                        .ip = in->ip};

    if (json_array_size(methods) == 0) {
        pc_authz_error_page(out, 403, "access_denied",
                            "This organisation requires two-step verification, but no way to "
                            "set it up is available. Ask your administrator.");
    } else if (pc_mfa_token_issue(&p, &token) != PC_OK) {
        oops(out);
    } else {
        /* the sealed request says this sign-in enrols: the browser cannot set it */
        json_object_set_new(req, "mfa_token", json_string(token));
        json_object_set_new(req, "enrol", json_true());
        setup_page(in, out, req, user, json_string_value(json_array_get(methods, 0)), methods,
                   NULL);
    }
    pc_free_secret(token);
    json_decref(methods);
    return 1;
}

/* The factor is on and the session open: show the recovery codes once, then Continue. */
static void enrolled(const pc_web_in *in, pc_web_out *out, json_t *req, const pc_mfa_done *done)
{
    const char *uid = json_string_value(json_object_get(done->user, "id"));
    pc_login_attempt a = {.tenant = in->tenant,
                          .ip = in->ip,
                          .client_id = pc_authz_str(req, "client_id"),
                          .provider = pc_authz_str(req, "idp")};
    pc_mfa_actor actor = {.tenant = in->tenant,
                          .user = done->user,
                          .client_id = a.client_id,
                          .actor = uid,
                          .ip = in->ip};
    json_t *reply = NULL, *empty = json_object(), *codes;
    char *secret = NULL, *text = pc_strdup(""), *next;
    size_t i;
    json_t *amr = pc_authz_first_step_amr(req, done->amr);
    pc_status rc = pc_browser_session_signed_in(&a, uid, amr, in->session_cookie, &secret);

    json_decref(amr);
    pc_authz_first_step_clear(req); /* a.provider is not used after this */

    if (rc == PC_OK && (rc = pc_mfa_enrol(&actor, PC_MFA_RECOVERY, empty, &reply)) == PC_OK)
        pc_audit_record(NULL, in->tenant->id, "recovery.generated", uid, uid, in->ip, NULL);
    json_decref(empty);
    if (rc != PC_OK) {
        pc_free_secret(secret);
        free(text);
        json_decref(reply);
        return oops(out);
    }
    json_array_foreach (json_object_get(reply, "codes"), i, codes) {
        next = pc_asprintf("%s%s%s", text, i ? "\n" : "", json_string_value(codes));
        pc_free_secret(text);
        text = next;
    }
    out->session_cookie = secret;
    json_object_del(req, "mfa_token");
    json_object_del(req, "enrol");
    json_object_set_new(req, "enrolled", json_string(uid));
    out->outcome = PC_WEB_ENROL;
    out->page_vars = json_pack("{s:s}", "codes", text);
    pc_free_secret(text);
    json_decref(reply);
    pc_authz_form_tokens(in, out, req);
}

/* Continue after the codes: the session this sign-in opened, then the usual decision. */
static void carry_on(const pc_web_in *in, pc_web_out *out, json_t *req)
{
    json_t *session = NULL, *user = NULL;
    char *who = pc_strdup(pc_authz_str(req, "enrolled"));

    json_object_del(req, "enrolled");
    if (pc_browser_session_find(in->tenant, in->session_cookie, &session, &user) == PC_OK &&
        strcmp(json_string_value(json_object_get(user, "id")), who) == 0)
        pc_authz_decide(in, out, req, in->session_cookie, PC_AUTHZ_FRESH_LOGIN);
    else
        pc_authz_decide(in, out, req, NULL, 0); /* signed out meanwhile: sign in again */
    free(who);
    json_decref(session);
    json_decref(user);
}

/* After a wrong code: the same enrolment (the app already holds its key), the reason said. */
static void setup_again(const pc_web_in *in, pc_web_out *out, json_t *req, const char *method,
                        const json_t *methods, const char *message)
{
    out->outcome = PC_WEB_ENROL;
    out->status = 400;
    out->message = message;
    out->mfa_method = pc_strdup(method);
    out->mfa_methods = json_deep_copy(methods);
    out->page_vars = json_pack("{s:s}", "setup", "1");
    pc_authz_form_tokens(in, out, req);
}

static void check_code(const pc_web_in *in, pc_web_out *out, json_t *req, const char *method,
                       const json_t *methods)
{
    pc_mfa_done done;
    pc_status rc = pc_mfa_token_redeem_enrolment(
        in->tenant, pc_authz_str(req, "mfa_token"), pc_authz_str(req, "client_id"), method,
        param(in, "code"), in->ip, &done, &out->retry_after);

    if (rc == PC_OK)
        enrolled(in, out, req, &done);
    else if (rc == PC_ERR_DENIED || rc == PC_ERR_LIMIT)
        setup_again(in, out, req, method, methods,
                    rc == PC_ERR_DENIED ? "That code is not right. Try again."
                                        : "Too many wrong codes. Wait a while, then try again.");
    else if (rc == PC_ERR_NOT_FOUND || rc == PC_ERR_INVALID)
        pc_authz_login_page(in, out, req, NULL,
                            "Your sign-in expired or had too many wrong codes. Sign in again.",
                            401);
    else
        oops(out);
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

int pc_authz_enrol_post(const pc_web_in *in, pc_web_out *out, json_t *req)
{
    json_t *rec = NULL, *user = NULL, *methods;
    const char *method = param(in, "switch") ? param(in, "switch") : param(in, "method");
    pc_status rc;

    if (pc_authz_str(req, "enrolled") != NULL) {
        carry_on(in, out, req);
        return 1;
    }
    if (!json_is_true(json_object_get(req, "enrol")))
        return 0;
    rc = pc_mfa_token_find(in->tenant, pc_authz_str(req, "mfa_token"),
                           pc_authz_str(req, "client_id"), &rec);
    if (rc == PC_OK)
        rc = pc_db_get(NULL, PC_ENT_USER, in->tenant->id, "id",
                       json_string_value(json_object_get(rec, "user_id")), &user);
    if (rc != PC_OK) {
        json_object_del(req, "mfa_token");
        json_object_del(req, "enrol");
        if (rc == PC_ERR_STORAGE)
            pc_authz_unavailable(out);
        else
            pc_authz_login_page(in, out, req, NULL, "Your sign-in expired. Sign in again.", 401);
    } else {
        methods = json_object_get(rec, "methods");
        if (!listed(methods, method))
            method = json_string_value(json_array_get(methods, 0));
        if (param(in, "switch") != NULL)
            setup_page(in, out, req, user, method, methods, NULL);
        else
            check_code(in, out, req, method, methods);
    }
    json_decref(user);
    json_decref(rec);
    return 1;
}
