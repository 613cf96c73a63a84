/* SPDX-License-Identifier: Apache-2.0 */
/* GET/POST /oauth2/authorize and its login and consent forms: HTTP in, pages and redirects out. */
#include "http/authorize.h"
#include "oidc/claims.h"
#include "http/endpoints.h"
#include "http/pages.h"
#include "oauth2/redirect.h"
#include "oauth2/throttle.h"
#include "server/server.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *query_param(void *ctx, const char *name)
{
    return pc_req_param(ctx, name);
}

static const char *form_param(void *ctx, const char *name)
{
    return pc_req_form(ctx, name);
}

void pc_http_web_in(pc_req *rq, pc_web_in *in)
{
    int is_get = strcmp(pc_req_method(rq), "GET") == 0;

    memset(in, 0, sizeof *in);
    in->tenant = rq->tenant;
    in->ip = rq->ip;
    in->param = is_get ? query_param : form_param;
    in->param_ctx = rq;
    in->session_cookie = pc_req_cookie(rq, PC_COOKIE_SESSION);
    in->csrf_cookie = pc_req_cookie(rq, PC_COOKIE_CSRF);
}

/* What each scope lets the application do, in words for the consent page. */
static const char *scope_words(const char *scope)
{
    static const struct {
        const char *scope, *words;
    } known[] = {
        {"openid", "Know who you are (your user id)"},
        {"profile", "See your name and username"},
        {"email", "See your email address"},
        {"phone", "See your phone number"},
        {"offline_access", "Keep access while you are away"},
        {PC_SCOPE_MANAGE, "Warning: act as you in the management API, with every administrative "
                          "right you hold (users, applications, roles, settings)"},
    };

    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(known[i].scope, scope) == 0)
            return known[i].words;
    return NULL;
}

/* The consent page's list: <li> items, every value escaped. */
static char *scope_items(const char *scope)
{
    char *copy = pc_strdup(scope ? scope : ""), *item, *save = NULL, *html = pc_strdup("");

    for (item = strtok_r(copy, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
        const char *words = scope_words(item);
        char *esc = pc_html_escape(words ? words : item), *next;
        /* The one scope that hands over administrative rights stands out. */
        next = pc_asprintf("%s<li%s>%s</li>", html,
                           strcmp(item, PC_SCOPE_MANAGE) == 0 ? " class=\"alert\"" : "", esc);
        free(esc);
        free(html);
        html = next;
    }
    free(copy);
    return html;
}

/* The login page's "Forgot password?" and (when open) "Create account" links, which lead
 * back to this authorization request when it came as a GET (API.md §12). */
static void people_links(const pc_req *rq, json_t *v)
{
    const char *url = pc_req_url(rq);
    char *back = strcmp(pc_req_method(rq), "GET") == 0 && strchr(url, '?') != NULL
                     ? pc_asprintf("%s%s", pc_srv->cfg.public_url, url)
                     : NULL;
    char *enc = back ? pc_url_encode(back) : NULL;

    json_object_set_new(
        v, "forgot_url",
        json_sprintf("%s/ui/reset%s%s", rq->tenant->issuer, enc ? "?return=" : "", enc ? enc : ""));
    if (rq->tenant->registration_open)
        json_object_set_new(v, "register_url",
                            json_sprintf("%s/ui/register%s%s", rq->tenant->issuer,
                                         enc ? "?return=" : "", enc ? enc : ""));
    free(enc);
    free(back);
}

/* The device page: the form (the code prefilled), or what the person decided. */
static void device_page_vars(const pc_req *rq, const pc_web_out *out, json_t *v)
{
    const char *result = out->device_result;

    json_object_set_new(v, "device_action", json_sprintf("%s/ui/device", rq->tenant->issuer));
    if (out->user_code != NULL)
        json_object_set_new(v, "user_code", json_string(out->user_code));
    /* Template sections test strings: "1" shows one. */
    json_object_set_new(v, result ? result : "show_form", json_string("1"));
}

static json_t *page_vars(const pc_req *rq, const pc_web_out *out)
{
    const json_t *user = out->user;
    const char *user_name = json_string_value(json_object_get(user, "name"));
    json_t *v = json_pack(
        "{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "app_name",
        json_string_value(json_object_get(out->app, "name")), "message", out->message, "error",
        out->error, "request", out->request, "csrf", out->csrf, "username", out->username,
        "user_name", user_name ? user_name : json_string_value(json_object_get(user, "username")));
    char *items = scope_items(out->scope);

    json_object_set_new(v, "scope_items", json_string(items));
    json_object_set_new(v, "login_action",
                        json_sprintf("%s/oauth2/authorize/login", rq->tenant->issuer));
    json_object_set_new(v, "consent_action",
                        json_sprintf("%s/oauth2/authorize/consent", rq->tenant->issuer));
    free(items);
    if (out->passkey_options != NULL) {
        json_object_set_new(v, "passkey_options", json_string(out->passkey_options));
        json_object_set_new(v, "passkey_action",
                            json_sprintf("%s/oauth2/authorize/passkey", rq->tenant->issuer));
    }
    if (out->passkey_offered) { /* the login page asks for a challenge when it is wanted */
        json_object_set_new(
            v, "passkey_options_url",
            json_sprintf("%s/oauth2/authorize/passkey/options", rq->tenant->issuer));
        json_object_set_new(v, "passkey_action",
                            json_sprintf("%s/oauth2/authorize/passkey", rq->tenant->issuer));
    }
    if (out->outcome == PC_WEB_LOGIN) {
        people_links(rq, v);
        pc_http_federation_buttons(rq, out, v);
    }
    if (out->outcome == PC_WEB_MFA || out->outcome == PC_WEB_ENROL)
        pc_http_mfa_page_vars(rq, out, v);
    if (out->page_vars != NULL)
        json_object_update(v, out->page_vars);
    if (out->outcome == PC_WEB_ORGANIZATION)
        pc_http_org_page_vars(rq, out, v);
    /* ---- device authorization (RFC 8628) ---- */
    if (out->outcome == PC_WEB_DEVICE)
        device_page_vars(rq, out, v);
    return v;
}

static void set_cookies(pc_req *rq, const pc_web_out *out)
{
    char retry[24];

    if (out->set_csrf)
        pc_reply_cookie(rq, PC_COOKIE_CSRF, out->csrf, 86400);
    if (out->session_cookie != NULL)
        pc_reply_cookie(rq, PC_COOKIE_SESSION, out->session_cookie, rq->tenant->session_ttl);
    else if (out->clear_session)
        pc_reply_cookie(rq, PC_COOKIE_SESSION, NULL, 0);
    if (out->retry_after > 0) {
        snprintf(retry, sizeof retry, "%lld", (long long)out->retry_after);
        pc_reply_header(rq, "Retry-After", retry);
    }
}

void pc_http_web_respond(pc_req *rq, const pc_web_out *out)
{
    static const char *const pages[] = {[PC_WEB_ERROR] = "error",
                                        [PC_WEB_LOGIN] = "login",
                                        [PC_WEB_CONSENT] = "consent",
                                        [PC_WEB_LOGGED_OUT] = "logged_out",
                                        [PC_WEB_MFA] = "mfa",
                                        [PC_WEB_ENROL] = "enrol",
                                        [PC_WEB_ORGANIZATION] = "organization",
                                        [PC_WEB_DEVICE] = "device",
                                        [PC_WEB_FEDERATION_LINK] = "federation_link"};
    json_t *vars;

    set_cookies(rq, out);
    if (out->outcome == PC_WEB_REDIRECT) {
        pc_reply_header(rq, "Cache-Control", "no-store");
        /* 303 after a form POST so that the client is reached with a GET. */
        pc_reply_redirect(rq, strcmp(pc_req_method(rq), "POST") == 0 ? 303 : 302, out->location);
        return;
    }
    vars = page_vars(rq, out);
    pc_page_reply(rq, out->status ? out->status : 200, pages[out->outcome], vars);
    json_decref(vars);
}

static int form_posted(pc_req *rq)
{
    if (strcmp(pc_req_method(rq), "POST") != 0 ||
        pc_req_content_type_is(rq, "application/x-www-form-urlencoded"))
        return 1;
    pc_page_error(rq, 400, "invalid_request",
                  "The request was not a form this server understands.");
    return 0;
}

static void run(pc_req *rq, void (*flow)(const pc_web_in *, pc_web_out *))
{
    pc_web_in in;
    pc_web_out out;

    if (!form_posted(rq))
        return;
    /* RFC 6749 §3.1; no redirect: the request's own parameters cannot be trusted. */
    if (pc_req_repeated(rq) != NULL) {
        pc_page_error(rq, 400, "invalid_request",
                      "The request sent a parameter more than once. Start again from the "
                      "application.");
        return;
    }
    pc_http_web_in(rq, &in);
    flow(&in, &out);
    pc_http_web_respond(rq, &out);
    pc_web_out_clear(&out);
}

void pc_http_authorize(pc_req *rq)
{
    run(rq, pc_oauth2_authorize);
}

void pc_http_authorize_login(pc_req *rq)
{
    run(rq, pc_oauth2_authorize_login);
}

void pc_http_authorize_consent(pc_req *rq)
{
    run(rq, pc_oauth2_authorize_consent);
}

void pc_http_authorize_mfa(pc_req *rq)
{
    run(rq, pc_oauth2_authorize_mfa);
}

void pc_http_authorize_organization(pc_req *rq)
{
    run(rq, pc_oauth2_authorize_organization);
}

void pc_http_authorize_passkey(pc_req *rq)
{
    run(rq, pc_oauth2_authorize_passkey);
}

/*
 * Anyone may ask for a passkey challenge, so an address may ask a bounded number a minute
 * (per PORTCULLIS_LIMIT_WINDOW). The browser's conditional UI asks for nearly every login page a
 * person starts to use (mediation=conditional), so those have a generous count of their own, which
 * people behind one NAT address do not use up, and which never uses up the 20 of the button
 * "Sign in with a passkey". Each challenge row expires after PC_PASSKEY_TTL and expired rows go
 * at every issue, so the rows an address can keep are bounded too (docs/passkeys.md).
 */
#define OPTIONS_CONDITIONAL_PER_MINUTE 120
#define OPTIONS_BUTTON_PER_MINUTE 20

static int options_allowed(pc_req *rq)
{
    const char *mediation = pc_req_form(rq, "mediation");
    int conditional = mediation != NULL && strcmp(mediation, "conditional") == 0;
    int64_t per_minute = conditional ? OPTIONS_CONDITIONAL_PER_MINUTE : OPTIONS_BUTTON_PER_MINUTE;
    int64_t retry = 0, per_address = per_minute * (pc_srv->cfg.limit_window / 60 + 1);
    const char *bucket = conditional ? "conditional" : "button";
    char retry_text[24], *key = pc_asprintf("passkey-options:%s:%s", bucket, rq->ip);
    int ok = pc_throttle_check(key, per_address, &retry) == PC_OK;

    if (ok)
        pc_throttle_fail(key, per_address); /* counted when asked: a flood is refused early */
    free(key);
    if (ok)
        return 1;
    snprintf(retry_text, sizeof retry_text, "%lld", (long long)(retry > 0 ? retry : 1));
    pc_reply_header(rq, "Retry-After", retry_text);
    pc_reply_oauth_error(rq, 429, "temporarily_unavailable",
                         "too many passkey requests from this address");
    return 0;
}

void pc_http_authorize_passkey_options(pc_req *rq)
{
    pc_web_in in;
    json_t *reply = NULL;
    unsigned status;

    if (!options_allowed(rq))
        return;
    if (!pc_req_content_type_is(rq, "application/x-www-form-urlencoded") ||
        pc_req_repeated(rq) != NULL) {
        pc_reply_oauth_error(rq, 400, "invalid_request",
                             "post the sign-in form's request and csrf");
        return;
    }
    pc_http_web_in(rq, &in);
    status = pc_oauth2_authorize_passkey_options(&in, &reply);
    pc_reply_header(rq, "Cache-Control", "no-store");
    if (status == 503)
        pc_reply_header(rq, "Retry-After", PC_STORE_RETRY_AFTER_TEXT);
    pc_reply_json(rq, status, reply);
}
