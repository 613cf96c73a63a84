/* SPDX-License-Identifier: Apache-2.0 */
/* Sign-in through an upstream identity provider (API.md §14): start, callback, then the usual decision. */
#include "oauth2/federation.h"
#include "oauth2/authorize_internal.h"
#include "oauth2/federation_user.h"
#include "oauth2/pkce.h"
#include "iam/idp.h"
#include "iam/providers.h"
#include "iam/users.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32
#define CSRF_BYTES 32

static const char unreachable[] =
    "The identity provider cannot be reached right now. Try again in a few moments.";
static const char unverified[] = "The answer from the identity provider could not be verified, "
                                 "so you were not signed in. Start again from the application.";
static const char misconfigured[] =
    "This sign-in option is not configured correctly. Tell your administrator.";

/* What a plugin call reports back: the reason of a failure, for the log. */
typedef struct fed_call_ctx {
    const pc_web_in *in;
    char reason[256];
} fed_call_ctx;

static const char *call_param(void *ctx, const char *name)
{
    const pc_web_in *in = ((fed_call_ctx *)ctx)->in;

    return in->param(in->param_ctx, name);
}

static void call_error(void *ctx, const char *reason)
{
    fed_call_ctx *c = ctx;

    snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "");
}

/* The provider's name for the log: a name from the URL only when it is a slug. */
static const char *log_name(const char *name)
{
    size_t n = name ? strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") : 0;

    return n > 0 && n < 64 && name[n] == '\0' ? name : "(not a provider name)";
}

void pc_fed_log_failure(const char *tenant, const char *name, const char *why)
{
    pc_warn("federated sign-in failed: tenant=%s provider=%s reason=\"%s\"", tenant, log_name(name),
            why);
}

/* Log why the sign-in at provider `name` failed (never a secret), then the error page. */
static void fail_named(pc_web_out *out, const char *name, const char *tenant, unsigned status,
                       const char *error, const char *message, const char *why)
{
    pc_fed_log_failure(tenant, name, why);
    pc_authz_error_page(out, status, error, message);
    if (status == 503)
        out->retry_after = 30;
}

static void fail(pc_web_out *out, const json_t *idp, const char *tenant, unsigned status,
                 const char *error, const char *message, const char *why)
{
    fail_named(out, json_string_value(json_object_get(idp, "name")), tenant, status, error, message,
               why);
}

/* The store could not do `step`: the service is unavailable, never an auth failure. */
static void fail_store(pc_web_out *out, const char *name, const char *tenant, const char *step,
                       pc_status rc)
{
    char why[160];

    snprintf(why, sizeof why, "the store failed while %s (%s)", step, pc_status_str(rc));
    pc_fed_log_failure(tenant, name, why);
    pc_authz_unavailable(out);
}

/* The enabled redirect provider `name` and its plugin; else the error page and NULL. */
static json_t *redirect_idp(const pc_web_in *in, const char *name, pc_web_out *out,
                            const pc_idp_ops **ops, void **state)
{
    json_t *idp = NULL;
    pc_status rc = pc_idp_find(in->tenant->id, name, &idp);

    if (rc == PC_ERR_STORAGE) {
        fail_store(out, name, in->tenant->slug, "reading the provider", rc);
        return NULL;
    }
    *ops =
        rc == PC_OK ? pc_idp_plugin(json_string_value(json_object_get(idp, "kind")), state) : NULL;
    if (*ops == NULL || !((*ops)->flags & PC_IDP_REDIRECT) ||
        !json_is_true(json_object_get(idp, "enabled"))) {
        json_decref(idp);
        fail_named(out, name, in->tenant->slug, 404, "not_found",
                   "This sign-in option is not available.",
                   rc == PC_OK ? "the provider is disabled, or no plugin serves it for redirects"
                               : "no provider of that name");
        return NULL;
    }
    return idp;
}

/* The state record of a new sign-in (new). */
static json_t *state_record(const pc_web_in *in, const json_t *idp, const char *state,
                            const char *nonce, const char *verifier, const char *binding,
                            const char *return_to, const char *link_user_id)
{
    char *sh = pc_sha256_hex(state), *bh = pc_sha256_hex(binding);
    json_t *rec = json_pack(
        "{s:s,s:s,s:O,s:s,s:s,s:s,s:s?,s:s?,s:I,s:I}", "id", sh, "tenant_id", in->tenant->id,
        "provider_id", json_object_get(idp, "id"), "nonce", nonce, "code_verifier", verifier,
        "browser_hash", bh, "return_to", return_to, "link_user_id", link_user_id, "created_at",
        (json_int_t)pc_now(), "expires_at", (json_int_t)(pc_now() + PC_FED_STATE_TTL));

    free(sh);
    free(bh);
    return rec;
}

/*
 * Linking acts on the browser's session, so only this server's own form starts it: a POST
 * whose CSRF token is the cookie's, whatever Sec-Fetch-Site says. A GET shows that form.
 */
static int link_form_posted(const pc_web_in *in, pc_web_out *out, const json_t *idp)
{
    const char *csrf = in->param(in->param_ctx, "csrf");

    if (in->posted) {
        if (csrf != NULL && in->csrf_cookie != NULL && pc_ct_streq(csrf, in->csrf_cookie))
            return 1;
        fail(out, idp, in->tenant->slug, 403, "access_denied",
             "Linking an account must be started from your account page. Open your account page "
             "and choose Link there.",
             "a link posted without this browser's form token (CSRF)");
        return 0;
    }
    out->outcome = PC_WEB_FEDERATION_LINK;
    out->set_csrf = !pc_browser_secret_valid(in->csrf_cookie);
    out->csrf = out->set_csrf ? pc_random_token(CSRF_BYTES) : pc_strdup(in->csrf_cookie);
    out->page_vars = json_pack("{s:O,s:o,s:o}", "provider_name",
                               json_object_get(idp, "display_name"), "link_action",
                               json_sprintf("%s/federation/%s/start", in->tenant->issuer,
                                            json_string_value(json_object_get(idp, "name"))),
                               "account_url", json_sprintf("%s/ui/account", in->tenant->issuer));
    return 0;
}

/* Linking from the account page: the user of the browser's session (*user_id), else a page. */
static int user_to_link(const pc_web_in *in, pc_web_out *out, const json_t *idp, char **user_id)
{
    json_t *session = NULL, *user = NULL;
    pc_status rc = pc_browser_session_find(in->tenant, in->session_cookie, &session, &user);

    if (rc == PC_ERR_STORAGE)
        fail_store(out, json_string_value(json_object_get(idp, "name")), in->tenant->slug,
                   "reading the browser's session", rc);
    else if (rc != PC_OK)
        fail(out, idp, in->tenant->slug, 401, "login_required",
             "Sign in to your account first, then link another one.",
             "a link without a signed-in session");
    else if (link_form_posted(in, out, idp))
        *user_id = pc_strdup(json_string_value(json_object_get(user, "id")));
    json_decref(session);
    json_decref(user);
    return *user_id != NULL;
}

/* Where the sign-in resumes: the sealed authorization request, or the user to link. */
static int resume_point(const pc_web_in *in, pc_web_out *out, const json_t *idp, char **return_to,
                        char **link_user_id)
{
    const char *link = in->param(in->param_ctx, "link");
    json_t *req;
    char why[96];

    if (link != NULL && strcmp(link, "1") == 0)
        return user_to_link(in, out, idp, link_user_id);
    req = pc_authz_form_request(in, out);
    if (req == NULL) { /* the page says why: a stale form, another browser's, a changed client */
        snprintf(why, sizeof why, "the login form's request was refused (%u %s)", out->status,
                 out->error ? out->error : "");
        pc_fed_log_failure(in->tenant->slug, json_string_value(json_object_get(idp, "name")), why);
        return 0;
    }
    *return_to = pc_authz_seal(in->tenant, req);
    json_decref(req);
    if (*return_to == NULL)
        fail(out, idp, in->tenant->slug, 500, "server_error",
             "Something went wrong on our side. Try again later.",
             "the authorization request could not be sealed");
    return *return_to != NULL;
}

static pc_idp_call make_call(fed_call_ctx *c, const pc_web_in *in, const json_t *idp,
                             const json_t *config, const char *state, const char *nonce)
{
    char *redirect = pc_asprintf("%s/federation/%s/callback", in->tenant->issuer,
                                 json_string_value(json_object_get(idp, "name")));
    pc_idp_call call = {.struct_size = sizeof(pc_idp_call),
                        .ctx = c,
                        .tenant_id = in->tenant->id,
                        .provider = json_string_value(json_object_get(idp, "name")),
                        .config = config,
                        .redirect_uri = redirect,
                        .state = state,
                        .nonce = nonce,
                        .param = call_param,
                        .error = call_error};

    return call;
}

/* Ask the plugin for the upstream URL; sets out. */
static void go_upstream(const pc_web_in *in, pc_web_out *out, const json_t *idp,
                        const pc_idp_ops *ops, void *st, pc_idp_call *call)
{
    fed_call_ctx *c = call->ctx;
    char *url = NULL;
    pc_status rc = ops->begin(st, call, &url);

    if (rc == PC_OK && url == NULL)
        call_error(c, "the plugin gave no upstream URL");
    else if (rc != PC_OK && c->reason[0] == '\0') /* a plugin that did not say why */
        call_error(c, pc_status_str(rc));
    if (rc == PC_OK && url != NULL) {
        out->outcome = PC_WEB_REDIRECT;
        out->location = pc_strdup(url);
    } else if (rc == PC_ERR_UNAVAILABLE) {
        fail(out, idp, in->tenant->slug, 503, "temporarily_unavailable", unreachable, c->reason);
    } else {
        fail(out, idp, in->tenant->slug, 500, "server_error", misconfigured, c->reason);
    }
    free(url);
}

void pc_fed_start(const pc_web_in *in, const char *name, pc_web_out *out, char **binding)
{
    const pc_idp_ops *ops;
    void *st = NULL;
    fed_call_ctx c = {.in = in};
    char *return_to = NULL, *link_user = NULL, *state = NULL, *nonce = NULL, *verifier = NULL,
         *challenge = NULL, *bind = NULL;
    json_t *idp, *rec = NULL, *config = NULL;
    pc_idp_call call;
    pc_status rc;

    memset(out, 0, sizeof *out);
    *binding = NULL;
    idp = redirect_idp(in, name, out, &ops, &st);
    if (idp == NULL || !resume_point(in, out, idp, &return_to, &link_user))
        goto out;
    state = pc_random_token(TOKEN_BYTES);
    nonce = pc_random_token(TOKEN_BYTES);
    verifier = pc_random_token(TOKEN_BYTES);
    bind = pc_random_token(TOKEN_BYTES);
    challenge = pc_oauth2_pkce_s256(verifier);
    PC_DB->expire(PC_DBS, PC_ENT_FED_STATE, "expires_at", pc_now());
    rec = state_record(in, idp, state, nonce, verifier, bind, return_to, link_user);
    config = pc_provider_config_open(in->tenant->id, json_object_get(idp, "config"));
    if (config == NULL) {
        fail(out, idp, in->tenant->slug, 500, "server_error", misconfigured, PC_FED_UNSEALABLE);
        goto out;
    }
    if ((rc = pc_db_insert(NULL, PC_ENT_FED_STATE, rec, NULL, 0)) != PC_OK) {
        fail_store(out, name, in->tenant->slug, "storing the sign-in state", rc);
        goto out;
    }
    call = make_call(&c, in, idp, config, state, nonce);
    call.code_challenge = challenge;
    go_upstream(in, out, idp, ops, st, &call);
    free((char *)call.redirect_uri);
    if (out->outcome == PC_WEB_REDIRECT)
        *binding = pc_strdup(bind);
out:
    free(return_to);
    free(link_user);
    pc_free_secret(state);
    pc_free_secret(nonce);
    pc_free_secret(verifier);
    pc_free_secret(bind);
    free(challenge);
    json_decref(rec);
    json_decref(config);
    json_decref(idp);
}

/* Why the state record `rec` may not finish this sign-in (into buf), or NULL. */
static const char *state_problem(const json_t *idp, const json_t *rec, const char *bh, char *buf,
                                 size_t len)
{
    int64_t created = json_integer_value(json_object_get(rec, "created_at"));

    if (!json_equal(json_object_get(rec, "provider_id"), json_object_get(idp, "id")))
        return "state of another provider";
    if (json_integer_value(json_object_get(rec, "expires_at")) < pc_now()) {
        snprintf(buf, len, "expired state (started %lld s ago; a sign-in may take %d s)",
                 (long long)(pc_now() - created), PC_FED_STATE_TTL);
        return buf;
    }
    if (bh == NULL || !pc_ct_streq(bh, json_string_value(json_object_get(rec, "browser_hash"))))
        return "state of another browser";
    return NULL;
}

/* Use the state up: it must exist, be this provider's, unexpired, and this browser's. */
static json_t *take_state(const pc_web_in *in, const json_t *idp, const char *binding,
                          pc_web_out *out)
{
    const char *state = in->param(in->param_ctx, "state");
    char *sh = state && strlen(state) < 512 ? pc_sha256_hex(state) : NULL,
         *bh = binding && strlen(binding) < 512 ? pc_sha256_hex(binding) : NULL, buf[128];
    json_t *rec = NULL;
    pc_status rc =
        sh ? pc_db_get(NULL, PC_ENT_FED_STATE, in->tenant->id, "id", sh, &rec) : PC_ERR_NOT_FOUND;
    const char *why = NULL;

    if (rc == PC_OK)
        rc = pc_db_remove(NULL, PC_ENT_FED_STATE, in->tenant->id, sh); /* single use */
    if (rc == PC_ERR_STORAGE)
        fail_store(out, json_string_value(json_object_get(idp, "name")), in->tenant->slug,
                   "using up the sign-in state", rc);
    else if (rc != PC_OK)
        why = state == NULL ? "no state in the answer" : "unknown, used or expired state";
    else
        why = state_problem(idp, rec, bh, buf, sizeof buf);
    if (why != NULL)
        fail(out, idp, in->tenant->slug, 400, "invalid_request",
             strcmp(why, "state of another browser") == 0
                 ? "This sign-in was started in another browser. Start again from the "
                   "application in this one."
                 : "This sign-in has expired or was already used. Start again from the "
                   "application.",
             why);
    free(sh);
    free(bh);
    if (rc != PC_OK || why != NULL) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

/*
 * RFC 6749 §4.1.2.1: the upstream sent the person back with an error instead of a code: they
 * cancelled or were refused there, the upstream is struggling, or it rejects our request (a
 * configuration matter). Each is said as such, and logged with the (sanitised) code.
 */
static void upstream_error(const pc_web_in *in, pc_web_out *out, const json_t *idp,
                           const char *error)
{
    static const char *const refused[] = {"access_denied",
                                          "login_required",
                                          "consent_required",
                                          "interaction_required",
                                          "account_selection_required",
                                          NULL};
    char code[48], why[96];
    size_t n = strspn(error, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    int person = 0;

    snprintf(code, sizeof code, "%.*s", (int)(n < sizeof code - 1 ? n : sizeof code - 1), error);
    snprintf(why, sizeof why, "the upstream answered error=%s", *code ? code : "(unreadable)");
    for (size_t i = 0; refused[i] != NULL; i++)
        person |= strcmp(code, refused[i]) == 0;
    if (person)
        fail(out, idp, in->tenant->slug, 403, "access_denied",
             "The identity provider did not sign you in (perhaps the sign-in was cancelled "
             "there), so you were not signed in here. Start again from the application.",
             why);
    else if (strcmp(code, "temporarily_unavailable") == 0 || strcmp(code, "server_error") == 0)
        fail(out, idp, in->tenant->slug, 503, "temporarily_unavailable",
             "The identity provider cannot sign you in right now. Try again in a few moments.",
             why);
    else
        fail(out, idp, in->tenant->slug, 400, "access_denied",
             "The identity provider refused this sign-in request. Try again later, and tell "
             "your administrator if it keeps happening.",
             why);
}

/* The plugin's verdict on the callback; sets the error page unless PC_OK. */
static pc_status finish_upstream(const pc_web_in *in, pc_web_out *out, const json_t *idp,
                                 const json_t *st_rec, pc_idp_identity *id)
{
    const pc_idp_ops *ops = NULL;
    void *st = NULL;
    fed_call_ctx c = {.in = in};
    json_t *config = pc_provider_config_open(in->tenant->id, json_object_get(idp, "config"));
    pc_idp_call call;
    pc_status rc;

    ops = pc_idp_plugin(json_string_value(json_object_get(idp, "kind")), &st);
    if (in->param(in->param_ctx, "error") != NULL) {
        json_decref(config);
        upstream_error(in, out, idp, in->param(in->param_ctx, "error"));
        return PC_ERR_DENIED;
    }
    if (config == NULL || ops == NULL) {
        json_decref(config);
        fail(out, idp, in->tenant->slug, 500, "server_error", misconfigured, PC_FED_UNSEALABLE);
        return PC_ERR_INTERNAL;
    }
    call = make_call(&c, in, idp, config, in->param(in->param_ctx, "state"),
                     json_string_value(json_object_get(st_rec, "nonce")));
    call.code_verifier = json_string_value(json_object_get(st_rec, "code_verifier"));
    memset(id, 0, sizeof *id);
    id->struct_size = sizeof *id;
    rc = ops->finish(st, &call, id);
    if (rc == PC_OK && (id->subject == NULL || *id->subject == '\0')) {
        call_error(&c, "the upstream gave no subject");
        rc = PC_ERR_DENIED;
    }
    if (rc != PC_OK && c.reason[0] == '\0') /* a plugin that did not say why */
        call_error(&c, pc_status_str(rc));
    if (rc == PC_ERR_UNAVAILABLE)
        fail(out, idp, in->tenant->slug, 503, "temporarily_unavailable", unreachable, c.reason);
    else if (rc == PC_ERR_INVALID) /* the plugin cannot use the provider's config */
        fail(out, idp, in->tenant->slug, 500, "server_error", misconfigured, c.reason);
    else if (rc != PC_OK)
        fail(out, idp, in->tenant->slug, 400, "access_denied", unverified, c.reason);
    free((char *)call.redirect_uri);
    json_decref(config);
    return rc;
}

static void identity_clear(pc_idp_identity *id)
{
    free(id->subject);
    json_decref(id->claims);
    json_decref(id->groups);
    memset(id, 0, sizeof *id);
}

/* Linking from the account page: then back to it. */
static void link_to(const pc_web_in *in, pc_web_out *out, const pc_fed_who *w, const char *uid)
{
    pc_status rc = pc_fed_link(w, uid);

    if (rc == PC_ERR_CONFLICT) {
        fail(out, w->idp, in->tenant->slug, 409, "conflict",
             "This account at the identity provider is already linked to an account here, or "
             "yours already has one linked there. Unlink it first.",
             "identity already linked");
        return;
    }
    if (rc != PC_OK) {
        fail_store(out, json_string_value(json_object_get(w->idp, "name")), in->tenant->slug,
                   "linking the identity to the signed-in user", rc);
        return;
    }
    out->outcome = PC_WEB_REDIRECT;
    out->location = pc_asprintf("%s/ui/account#linked-accounts", in->tenant->issuer);
}

/* The person is `user`: the second factor unless the upstream's is trusted, then the decision. */
static void sign_in(const pc_web_in *in, pc_web_out *out, const pc_fed_who *w, json_t *req,
                    const json_t *user)
{
    const char *name = json_string_value(json_object_get(w->idp, "name"));
    int trusted = json_is_true(json_object_get(w->idp, "trust_mfa")) && w->identity->upstream_mfa;
    pc_login_attempt a = {.tenant = in->tenant,
                          .ip = in->ip,
                          .client_id = pc_authz_str(req, "client_id"),
                          .provider = name};
    json_t *amr = trusted ? json_pack("[s,s]", "fed", "mfa") : json_pack("[s]", "fed");
    char *secret = NULL;

    /* the MFA step (or its setup) opens the session: it must know this was federated */
    pc_authz_first_step_set(req, name, amr);
    if (trusted || !pc_authz_mfa_start(in, out, req, user)) {
        pc_authz_first_step_clear(req);
        pc_status rc = pc_browser_session_signed_in(
            &a, json_string_value(json_object_get(user, "id")), amr, in->session_cookie, &secret);
        if (rc != PC_OK) {
            fail_store(out, name, in->tenant->slug, "opening the session", rc);
        } else {
            out->session_cookie = secret;
            pc_authz_decide(in, out, req, secret ? secret : in->session_cookie,
                            PC_AUTHZ_FRESH_LOGIN);
        }
    }
    json_decref(amr);
}

static void resolved(const pc_web_in *in, pc_web_out *out, const pc_fed_who *w, json_t *req)
{
    json_t *user = NULL;
    const char *step = NULL;
    pc_status rc = pc_fed_user_resolve(w, &user, &step);

    if (rc == PC_ERR_NOT_FOUND)
        fail(out, w->idp, in->tenant->slug, 403, "access_denied",
             "No account here is linked to this account at the identity provider. Sign in "
             "with your password and link it from your account page.",
             "no linked user and no provisioning");
    else if (rc == PC_ERR_CONFLICT)
        fail(out, w->idp, in->tenant->slug, 409, "conflict",
             "An account with this email address already exists here. Sign in to it, then link "
             "the identity provider from your account page (or verify its email address first).",
             "email of an existing user");
    else if (rc == PC_ERR_LIMIT)
        fail(out, w->idp, in->tenant->slug, 403, "access_denied",
             "This organisation cannot take more accounts. Ask your administrator.",
             "max_users reached");
    else if (rc == PC_ERR_INVALID)
        fail(out, w->idp, in->tenant->slug, 500, "server_error", misconfigured,
             "a default role of the provider no longer exists");
    else if (rc == PC_ERR_DENIED) /* nothing was linked to them */
        fail(out, w->idp, in->tenant->slug, 403, "access_denied",
             "This account is disabled. Ask your administrator.",
             json_is_null(json_object_get(user, "deleted_at")) ? "account disabled or frozen"
                                                               : "account deleted");
    else if (rc != PC_OK)
        fail_store(out, json_string_value(json_object_get(w->idp, "name")), in->tenant->slug,
                   step ? step : "finding the user", rc);
    else
        sign_in(in, out, w, req, user);
    json_decref(user);
}

/* The authorization request the sign-in resumes, its client checked (out->app); else NULL. */
static json_t *resume_request(const pc_web_in *in, pc_web_out *out, const json_t *idp,
                              const json_t *rec)
{
    json_t *req = pc_authz_unseal(in->tenant, json_string_value(json_object_get(rec, "return_to")));
    char why[160];

    if (req == NULL) {
        snprintf(why, sizeof why,
                 "the sealed authorization request expired or does not open (state started "
                 "%lld s ago)",
                 (long long)(pc_now() - json_integer_value(json_object_get(rec, "created_at"))));
        fail(out, idp, in->tenant->slug, 400, "invalid_request",
             "The sign-in took too long. Start again from the application.", why);
        return NULL;
    }
    out->app = pc_authz_client(in->tenant, pc_authz_str(req, "client_id"),
                               pc_authz_str(req, "redirect_uri"), out);
    if (out->app == NULL) { /* the page says why: the client is gone, or its redirect URI */
        snprintf(why, sizeof why, "the application could not be resumed (%u %s)", out->status,
                 out->error ? out->error : "");
        pc_fed_log_failure(in->tenant->slug, json_string_value(json_object_get(idp, "name")), why);
        json_decref(req);
        return NULL;
    }
    return req;
}

void pc_fed_callback(const pc_web_in *in, const char *name, const char *binding, pc_web_out *out)
{
    const pc_idp_ops *ops;
    void *st = NULL;
    pc_idp_identity id = {0};
    json_t *idp, *rec = NULL, *req = NULL;
    pc_fed_who w = {.tenant_id = in->tenant->id,
                    .ip = in->ip,
                    .identity = &id,
                    .max_users = in->tenant->max_users};
    const char *link_user;

    memset(out, 0, sizeof *out);
    idp = redirect_idp(in, name, out, &ops, &st);
    if (idp == NULL || (rec = take_state(in, idp, binding, out)) == NULL ||
        finish_upstream(in, out, idp, rec, &id) != PC_OK)
        goto out;
    w.idp = idp;
    link_user = json_string_value(json_object_get(rec, "link_user_id"));
    if (link_user != NULL) {
        link_to(in, out, &w, link_user);
        goto out;
    }
    req = resume_request(in, out, idp, rec);
    if (req != NULL) {
        w.client_id = pc_authz_str(req, "client_id");
        resolved(in, out, &w, req);
    }
out:
    identity_clear(&id);
    json_decref(req);
    json_decref(rec);
    json_decref(idp);
}
