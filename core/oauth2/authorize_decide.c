/* SPDX-License-Identifier: Apache-2.0 */
/* The authorization decision: sign in, ask consent, or send a code back (OIDC Core §3.1.2.3-§3.1.2.5). */
#include "oauth2/authorize_internal.h"
#include "oauth2/code.h"
#include "oauth2/device.h"
#include "oauth2/redirect.h"
#include "oidc/claims.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define CSRF_BYTES 32

/* OIDC Core §3.1.2.1 acr_values: a client coming back for step-up (RFC 9470) asks for "mfa". */
static int asks_mfa(const json_t *req, const json_t *session)
{
    const char *acr = json_string_value(json_object_get(req, "acr_values"));
    const json_t *amr = json_object_get(session, "amr");
    size_t i;
    json_t *v;

    if (acr == NULL || !pc_scope_has(acr, "mfa"))
        return 0;
    json_array_foreach (amr, i, v)
        if (strcmp(json_string_value(v) ? json_string_value(v) : "", "mfa") == 0)
            return 0;
    return 1;
}

/* OIDC Core §3.1.2.1: prompt=login, max_age and acr_values ask for a fresh sign-in. */
static int need_login(const json_t *req, const json_t *session, unsigned flags)
{
    json_t *max_age = json_object_get(req, "max_age");
    int64_t auth_time = json_integer_value(json_object_get(session, "auth_time"));

    if (flags & PC_AUTHZ_FRESH_LOGIN)
        return 0;
    if (pc_authz_prompt_has(req, "login") || asks_mfa(req, session))
        return 1;
    if (!json_is_integer(max_age))
        return 0;
    /* max_age=0 is a fresh sign-in even within the second of the last one. */
    return json_integer_value(max_age) == 0 || pc_now() - auth_time > json_integer_value(max_age);
}

/* OIDC Core §3.1.2.4: ask unless the person's consent covers every scope asked for. */
static pc_authz_consent need_consent(const pc_tenant *t, const json_t *req, const json_t *app,
                                     const json_t *session, unsigned flags, char **missing)
{
    *missing = NULL;
    if (flags & PC_AUTHZ_CONSENTED)
        return PC_AUTHZ_CONSENT_COVERED;
    /* RFC 8628 §5.4: a device is approved on purpose, each time, even a first-party one. */
    if (pc_device_request(req)) {
        *missing = pc_strdup(pc_authz_str(req, "scope"));
        return PC_AUTHZ_CONSENT_NONE;
    }
    /* First-party applications are trusted by the tenant: no consent step. */
    if (json_is_true(json_object_get(app, "first_party")))
        return PC_AUTHZ_CONSENT_COVERED;
    if (pc_authz_prompt_has(req, "consent")) {
        *missing = pc_strdup(pc_authz_str(req, "scope"));
        return PC_AUTHZ_CONSENT_NONE;
    }
    return pc_consent_check(t, pc_authz_str(session, "user_id"), pc_authz_str(req, "client_id"),
                            pc_authz_str(req, "scope"), missing);
}

/* A form's CSRF token: the browser's cookie when it has a sound one, else a new one. */
void pc_authz_form_tokens(const pc_web_in *in, pc_web_out *out, json_t *req)
{
    out->set_csrf = !pc_browser_secret_valid(in->csrf_cookie);
    out->csrf = out->set_csrf ? pc_random_token(CSRF_BYTES) : pc_strdup(in->csrf_cookie);
    json_object_set_new(req, "csrf", json_string(out->csrf));
    out->request = pc_authz_seal(in->tenant, req);
}

void pc_authz_login_page(const pc_web_in *in, pc_web_out *out, json_t *req, const char *username,
                         const char *message, unsigned status)
{
    const char *hint = pc_authz_str(req, "login_hint");

    out->outcome = PC_WEB_LOGIN;
    out->status = status;
    out->message = message;
    free(out->username);
    out->username = pc_strdup(username ? username : hint);
    pc_authz_passkey_offer(in, out, req);
    pc_authz_form_tokens(in, out, req);
}

/*
 * The consent page lists what is new (everything, the first time). Its form
 * is good once: a nonce, stored hashed, travels sealed in the request with
 * the session it was shown in.
 */
static void consent_page(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *session,
                         json_t *user, pc_authz_consent why, char *missing)
{
    char *nonce = pc_authz_consent_nonce_issue(in->tenant);

    if (nonce == NULL) {
        free(missing);
        pc_error("cannot store a consent form nonce: tenant=%s", in->tenant->slug);
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
        return;
    }
    out->outcome = PC_WEB_CONSENT;
    out->user = json_incref(user);
    free(out->scope);
    out->scope = missing;
    if (why == PC_AUTHZ_CONSENT_MORE)
        out->message = "You allowed this application before. It now asks for more.";
    json_object_set_new(req, "consent_nonce", json_string(nonce));
    json_object_set(req, "consent_sid", json_object_get(session, "id"));
    pc_free_secret(nonce);
    pc_authz_form_tokens(in, out, req);
}

static void issue(const pc_web_in *in, pc_web_out *out, const json_t *req, const json_t *session,
                  const char *org_id)
{
    if (pc_device_request(req)) {
        pc_device_approve(in, out, req, session); /* RFC 8628: the device polls for it */
        return;
    }
    pc_code_grant g = {.client_id = pc_authz_str(req, "client_id"),
                       .redirect_uri = pc_authz_str(req, "redirect_uri"),
                       .code_challenge = pc_authz_str(req, "code_challenge"),
                       .nonce = pc_authz_str(req, "nonce"),
                       .user_id = pc_authz_str(session, "user_id"),
                       .sid = pc_authz_str(session, "id"),
                       .scope = pc_authz_str(req, "scope"),
                       .amr = json_object_get(session, "amr"),
                       .auth_time = json_integer_value(json_object_get(session, "auth_time")),
                       .org_id = *org_id ? org_id : NULL,
                       .dpop_jkt = pc_authz_str(req, "dpop_jkt")};
    char *code = NULL;
    pc_status rc = pc_code_issue(in->tenant, &g, &code);

    if (rc != PC_OK) {
        pc_error("cannot store an authorization code: tenant=%s status=%s", in->tenant->slug,
                 pc_status_str(rc));
        pc_authz_fail(in->tenant, req, "server_error", "the code could not be issued", out);
        return;
    }
    /* RFC 6749 §4.1.2, with iss (RFC 9207). */
    const char *pairs[] = {
        "code", code, "state", pc_authz_str(req, "state"), "iss", in->tenant->issuer, NULL};
    out->outcome = PC_WEB_REDIRECT;
    free(out->location);
    out->location = pc_redirect_with(g.redirect_uri, pairs);
    pc_free_secret(code);
}

void pc_authz_decide(const pc_web_in *in, pc_web_out *out, json_t *req, const char *secret,
                     unsigned flags)
{
    json_t *session = NULL, *user = NULL;
    int none = pc_authz_prompt_has(req, "none");
    pc_authz_consent why;
    char *missing = NULL, org_id[40];
    pc_status rc = pc_browser_session_find(in->tenant, secret, &session, &user);

    /* A session the store cannot look up is not "signed out" (no login_required). */
    if (rc == PC_ERR_STORAGE) {
        pc_authz_unavailable(out);
        goto out;
    }
    if (rc != PC_OK || need_login(req, session, flags)) {
        /* OIDC Core §3.1.2.6 */
        if (none)
            pc_authz_fail(in->tenant, req, "login_required", "the user is not signed in", out);
        else
            pc_authz_login_page(in, out, req, NULL, NULL, 200);
        goto out;
    }
    /* API.md §18: which organization, before consent (the choice travels sealed). */
    if (!pc_authz_organization(in, out, req, session, org_id))
        goto out;
    why = need_consent(in->tenant, req, out->app, session, flags, &missing);
    if (why == PC_AUTHZ_CONSENT_UNKNOWN) {
        pc_authz_unavailable(out);
        goto out;
    }
    if (why != PC_AUTHZ_CONSENT_COVERED) {
        if (none) {
            free(missing);
            pc_authz_fail(in->tenant, req, "consent_required",
                          "the user has not approved this client for these scopes", out);
        } else {
            consent_page(in, out, req, session, user, why, missing);
        }
        goto out;
    }
    issue(in, out, req, session, org_id);
out:
    json_decref(session);
    json_decref(user);
}
