/* SPDX-License-Identifier: Apache-2.0 */
/* The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2, RFC 7636 §4.3): validate, then decide. */
#include "oauth2/authorize_internal.h"
#include "oauth2/code.h"
#include "oauth2/device.h"
#include "oauth2/grant_ctx.h"
#include "oauth2/pkce.h"
#include "oauth2/redirect.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAM 2048

void pc_web_out_clear(pc_web_out *out)
{
    free(out->location);
    json_decref(out->app);
    json_decref(out->user);
    free(out->request);
    free(out->csrf);
    free(out->scope);
    free(out->username);
    free(out->mfa_method);
    json_decref(out->mfa_methods);
    json_decref(out->page_vars);
    json_decref(out->orgs);
    free(out->user_code);
    free(out->passkey_options);
    pc_free_secret(out->session_cookie);
    memset(out, 0, sizeof *out);
}

const char *pc_authz_str(const json_t *req, const char *name)
{
    return json_string_value(json_object_get(req, name));
}

int pc_authz_prompt_has(const json_t *req, const char *value)
{
    const char *p = pc_authz_str(req, "prompt");
    size_t n = strlen(value);

    while (p != NULL && *p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, value, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p = strchr(p, ' ');
    }
    return 0;
}

void pc_authz_error_page(pc_web_out *out, unsigned status, const char *error, const char *message)
{
    out->outcome = PC_WEB_ERROR;
    out->status = status;
    out->error = error;
    out->message = message;
}

void pc_authz_unavailable(pc_web_out *out)
{
    pc_authz_error_page(out, 503, "temporarily_unavailable",
                        "The service is temporarily unavailable. Try again in a few moments.");
    out->retry_after = PC_STORE_RETRY_AFTER;
}

void pc_authz_fail(const pc_tenant *t, const json_t *req, const char *error,
                   const char *description, pc_web_out *out)
{
    /* RFC 6749 §4.1.2.1, with the issuer (RFC 9207). */
    const char *pairs[] = {"error",     error,     "error_description",
                           description, "state",   pc_authz_str(req, "state"),
                           "iss",       t->issuer, NULL};

    /* A device request has nowhere to redirect to: the person sees the error (RFC 8628). */
    if (pc_device_request(req)) {
        pc_authz_error_page(out, 400, error, description);
        return;
    }
    out->outcome = PC_WEB_REDIRECT;
    free(out->location);
    out->location = pc_redirect_with(pc_authz_str(req, "redirect_uri"), pairs);
}

json_t *pc_authz_client(const pc_tenant *t, const char *client_id, const char *redirect_uri,
                        pc_web_out *out)
{
    json_t *app = NULL;
    pc_status rc = client_id == NULL || strlen(client_id) > 256
                       ? PC_ERR_NOT_FOUND
                       : pc_db_get(NULL, PC_ENT_APPLICATION, t->id, "client_id", client_id, &app);

    if (rc == PC_ERR_STORAGE) {
        pc_authz_unavailable(out);
        return NULL;
    }
    /* RFC 6749 §4.1.2.1: with no trustworthy redirect URI, tell the person, not the client. */
    if (rc != PC_OK) {
        pc_authz_error_page(out, 400, "invalid_client",
                            "The application that sent you here is not known to this server.");
        return NULL;
    }
    if (redirect_uri == NULL ||
        !pc_redirect_uri_allowed(json_object_get(app, "redirect_uris"), redirect_uri)) {
        pc_authz_error_page(
            out, 400, "invalid_request",
            "The application sent you here with a return address it has not registered, "
            "so you were not sent back to it.");
        json_decref(app);
        return NULL;
    }
    return app;
}

static int has_grant(const json_t *app, const char *grant)
{
    size_t i;
    json_t *g;

    json_array_foreach (json_object_get(app, "grant_types"), i, g)
        if (json_is_string(g) && strcmp(json_string_value(g), grant) == 0)
            return 1;
    return 0;
}

/* OIDC Core §3.1.2.1: known prompt values; "none" stands alone. */
static const char *prompt_problem(const json_t *req)
{
    static const char *const known[] = {"none", "login", "consent", "select_account", NULL};
    const char *prompt = pc_authz_str(req, "prompt");
    char *copy = pc_strdup(prompt ? prompt : ""), *item, *save = NULL;
    const char *problem = NULL;
    int count = 0;

    for (item = strtok_r(copy, " ", &save); item && !problem; item = strtok_r(NULL, " ", &save)) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], item) != 0)
            i++;
        if (known[i] == NULL)
            problem = "unknown prompt value";
        count++;
    }
    free(copy);
    if (problem == NULL && count > 1 && pc_authz_prompt_has(req, "none"))
        problem = "prompt=none cannot be combined with other values";
    return problem;
}

/* RFC 7636 §4.3 and §4.4.1: S256 only; mandatory for public clients. */
static const char *pkce_problem(const json_t *req, const json_t *app)
{
    const char *challenge = pc_authz_str(req, "code_challenge");
    const char *method = pc_authz_str(req, "code_challenge_method");

    if (method != NULL && strcmp(method, "S256") != 0)
        return "code_challenge_method must be S256";
    if (challenge == NULL && method != NULL)
        return "code_challenge is required with code_challenge_method";
    if (challenge == NULL && strcmp(json_string_value(json_object_get(app, "type")), "public") == 0)
        return "PKCE (S256 code_challenge) is required for public clients";
    if (challenge != NULL && method == NULL)
        return "code_challenge_method=S256 is required"; /* the default would be plain */
    if (challenge != NULL && !pc_oauth2_pkce_challenge_valid(challenge))
        return "code_challenge is malformed";
    return NULL;
}

/* RFC 9449 §10: dpop_jkt is a JWK SHA-256 thumbprint, 43 base64url characters like S256 PKCE. */
static const char *dpop_jkt_problem(const json_t *req)
{
    const char *jkt = pc_authz_str(req, "dpop_jkt");

    return jkt == NULL || pc_oauth2_pkce_challenge_valid(jkt) ? NULL : "dpop_jkt is malformed";
}

static const char *max_age_problem(json_t *req, const char *max_age)
{
    if (max_age == NULL)
        return NULL;
    if (*max_age == '\0' || strlen(max_age) > 9)
        return "max_age must be a number of seconds";
    for (const char *p = max_age; *p; p++)
        if (!isdigit((unsigned char)*p))
            return "max_age must be a number of seconds";
    json_object_set_new(req, "max_age", json_integer(atoll(max_age)));
    return NULL;
}

/* Copy the parameters the flow keeps; bound their size. */
static json_t *collect(const pc_web_in *in)
{
    static const char *const names[] = {"client_id",
                                        "redirect_uri",
                                        "state",
                                        "nonce",
                                        "prompt",
                                        "code_challenge",
                                        "code_challenge_method",
                                        "login_hint",
                                        "ui_locales",
                                        "acr_values",
                                        "organization", /* API.md §18: preselects one */
                                        "dpop_jkt",     /* RFC 9449 §10 */
                                        NULL};
    json_t *req = json_object();

    for (size_t i = 0; names[i]; i++) {
        const char *v = in->param(in->param_ctx, names[i]);
        if (v != NULL && strlen(v) <= MAX_PARAM)
            json_object_set_new(req, names[i], json_string(v));
    }
    return req;
}

/* The checks whose failures go back to the client (the redirect URI is verified by now). */
static const char *request_problem(const pc_web_in *in, json_t *req, const json_t *app,
                                   const char **error)
{
    const char *rt = in->param(in->param_ctx, "response_type");
    const char *problem;
    char *scope;

    *error = "unsupported_response_type";
    if (rt == NULL || strcmp(rt, "code") != 0)
        return "only response_type=code is supported";
    *error = "unauthorized_client";
    if (!has_grant(app, "authorization_code"))
        return "this client may not use the authorization code flow";
    *error = "invalid_request";
    if ((problem = pkce_problem(req, app)) != NULL || (problem = prompt_problem(req)) != NULL ||
        (problem = dpop_jkt_problem(req)) != NULL ||
        (problem = max_age_problem(req, in->param(in->param_ctx, "max_age"))) != NULL)
        return problem;
    *error = "invalid_scope";
    scope = pc_scope_settle(json_object_get(app, "scopes"), in->param(in->param_ctx, "scope"));
    if (scope == NULL)
        return "a requested scope is not allowed for this client";
    json_object_set_new(req, "scope", json_string(scope));
    free(scope);
    return NULL;
}

void pc_oauth2_authorize(const pc_web_in *query, pc_web_out *out)
{
    pc_web_in resolved;
    const pc_web_in *in = &resolved;
    json_t *req = NULL, *pushed = NULL;
    const char *problem, *error = NULL;
    int via_par = 0;

    memset(out, 0, sizeof *out);
    if (!pc_authz_resolve_request(query, &resolved, &pushed, &via_par, out))
        goto out;
    req = collect(in);
    out->app = pc_authz_client(in->tenant, pc_authz_str(req, "client_id"),
                               pc_authz_str(req, "redirect_uri"), out);
    if (out->app == NULL)
        goto out;
    problem = request_problem(in, req, out->app, &error);
    /* RFC 9126 §5: an application that requires PAR takes no other request */
    if (problem == NULL && !via_par && json_is_true(json_object_get(out->app, "require_par"))) {
        error = "invalid_request";
        problem = "this client must push its authorization requests (RFC 9126)";
    }
    if (problem != NULL) {
        pc_authz_fail(in->tenant, req, error, problem, out);
        goto out;
    }
    json_object_del(req, "code_challenge_method");
    pc_authz_decide(in, out, req, in->session_cookie, 0);
out:
    json_decref(req);
    json_decref(pushed);
}
