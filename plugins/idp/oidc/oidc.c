/* SPDX-License-Identifier: Apache-2.0 */
/* The oidc identity provider: sign in at an upstream OpenID Connect issuer (code flow, PKCE, ID token). */
#include "oidc.h"
#include "idp_util.h"

#include <stdlib.h>
#include <string.h>

#define NAME "oidc"
#define WHY 256

typedef struct oidc_state {
    const pc_host *host;
    oidc_cache *cache;
} oidc_state;

static pc_status init(const pc_host *host, const json_t *config, void **state)
{
    oidc_state *s;

    (void)config;
    if (!idp_host_usable(host))
        return PC_ERR_INVALID;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return PC_ERR_INTERNAL;
    s->host = host;
    s->cache = oidc_cache_new(host);
    *state = s;
    return PC_OK;
}

static void fini(void *state)
{
    oidc_state *s = state;

    if (s != NULL)
        oidc_cache_free(s->cache);
    free(s);
}

static const char *const known[] = {
    "issuer",       "client_id", "client_secret", "scopes", "claims", "token_endpoint_auth_method",
    "groups_claim", "userinfo",  "group_roles",   NULL};

static pc_status check_config(void *state, const json_t *config, const char **field,
                              const char **problem)
{
    oidc_state *s = state;
    const char *key, *method = idp_config_str(config, "token_endpoint_auth_method");
    const json_t *v;

    json_object_foreach ((json_t *)config, key, v) {
        size_t i = 0;
        while (known[i] != NULL && strcmp(known[i], key) != 0)
            i++;
        if (known[i] == NULL) {
            *field = NULL;
            *problem = "has a member this kind does not know";
            return PC_ERR_INVALID;
        }
    }
    *field = "issuer";
    *problem =
        idp_config_str(config, "issuer") == NULL
            ? "is required"
            : s->host->outbound_url_problem(idp_config_str(config, "issuer"), PC_OUTBOUND_HTTP_ANY);
    if (*problem == NULL && idp_config_str(config, "client_id") == NULL) {
        *field = "client_id";
        *problem = "is required";
    }
    if (*problem == NULL && method != NULL && strcmp(method, "client_secret_basic") != 0 &&
        strcmp(method, "client_secret_post") != 0 && strcmp(method, "none") != 0) {
        *field = "token_endpoint_auth_method";
        *problem = "must be client_secret_basic, client_secret_post or none";
    }
    if (*problem == NULL && json_object_get(config, "claims") != NULL &&
        !json_is_object(json_object_get(config, "claims"))) {
        *field = "claims";
        *problem = "must map user fields to claim names";
    }
    return *problem == NULL ? PC_OK : PC_ERR_INVALID;
}

static pc_status fail(const pc_idp_call *call, pc_status rc, const char *why)
{
    call->error(call->ctx, why);
    return rc;
}

static pc_status begin(void *state, const pc_idp_call *call, char **url)
{
    oidc_state *s = state;
    const char *issuer = idp_config_str(call->config, "issuer");
    char why[WHY] = "", *scope = idp_scopes(call->config, "openid email profile");
    json_t *doc = NULL;
    pc_status rc = oidc_discovery(s->cache, issuer, 0, &doc, why, sizeof why);

    if (rc == PC_OK) {
        /* OIDC Core §3.1.2.1, RFC 7636 §4.3 */
        const char *pairs[] = {"response_type",
                               "code",
                               "client_id",
                               idp_config_str(call->config, "client_id"),
                               "redirect_uri",
                               call->redirect_uri,
                               "scope",
                               scope,
                               "state",
                               call->state,
                               "nonce",
                               call->nonce,
                               "code_challenge",
                               call->code_challenge,
                               "code_challenge_method",
                               "S256",
                               NULL};
        *url = idp_url_with(idp_config_str(doc, "authorization_endpoint"), pairs);
    } else {
        call->error(call->ctx, why);
    }
    free(scope);
    json_decref(doc);
    return rc;
}

/* RFC 9207 §2.4: an iss parameter must name the issuer; one the issuer promised must be there. */
static const char *mixup_problem(const pc_idp_call *call, const json_t *doc)
{
    const char *iss = call->param(call->ctx, "iss");

    if (iss != NULL && strcmp(iss, idp_config_str(call->config, "issuer")) != 0)
        return "the iss parameter of the answer names another issuer (mix-up)";
    if (iss == NULL &&
        json_is_true(json_object_get(doc, "authorization_response_iss_parameter_supported")))
        return "the answer lacks the iss parameter its issuer promised";
    return NULL;
}

/* RFC 6749 §4.1.3 with RFC 7636 §4.5: the code for tokens. */
static pc_status redeem(oidc_state *s, const pc_idp_call *call, const json_t *doc, json_t **tokens,
                        char *why)
{
    const char *method = idp_config_str(call->config, "token_endpoint_auth_method");
    int post = method != NULL && strcmp(method, "client_secret_post") == 0;
    int basic = method == NULL || strcmp(method, "client_secret_basic") == 0;
    const char *secret = idp_config_str(call->config, "client_secret");
    const char *pairs[] = {"grant_type",
                           "authorization_code",
                           "code",
                           call->param(call->ctx, "code"),
                           "redirect_uri",
                           call->redirect_uri,
                           "code_verifier",
                           call->code_verifier,
                           "client_id",
                           basic && secret ? NULL : idp_config_str(call->config, "client_id"),
                           "client_secret",
                           post ? secret : NULL,
                           NULL};
    char *form = idp_form(pairs);
    idp_fetch f = {.method = "POST",
                   .url = idp_config_str(doc, "token_endpoint"),
                   .body = form,
                   .basic_user = basic && secret ? idp_config_str(call->config, "client_id") : NULL,
                   .basic_password = basic ? secret : NULL};
    pc_status rc = idp_fetch_json(s->host, &f, tokens, why, WHY);

    free(form);
    if (rc == PC_OK) /* RFC 6749 §5.2, even under a 200 */
        rc = idp_token_refusal(*tokens, why, WHY);
    return rc;
}

/* The ID token's claims, fetching the JWKS again once when its key is unknown (key rotation). */
static pc_status verified_claims(oidc_state *s, const pc_idp_call *call, const char *id_token,
                                 json_t **claims, char *why)
{
    const char *issuer = idp_config_str(call->config, "issuer"), *problem = NULL;
    oidc_expect e = {.issuer = issuer,
                     .client_id = idp_config_str(call->config, "client_id"),
                     .nonce = call->nonce,
                     .now = s->host->now()};
    json_t *jwks = NULL;
    pc_status rc = oidc_jwks(s->cache, issuer, 0, &jwks, why, WHY);

    if (rc == PC_OK)
        rc = oidc_verify_id_token(id_token, jwks, &e, claims, &problem);
    if (rc == PC_ERR_NOT_FOUND) {
        json_decref(jwks);
        jwks = NULL;
        rc = oidc_jwks(s->cache, issuer, 1, &jwks, why, WHY);
        if (rc == PC_OK)
            rc = oidc_verify_id_token(id_token, jwks, &e, claims, &problem);
        if (rc == PC_ERR_NOT_FOUND)
            rc = PC_ERR_DENIED;
    }
    if (problem != NULL && rc != PC_OK)
        snprintf(why, WHY, "%s", problem);
    json_decref(jwks);
    return rc;
}

/* OIDC Core §5.3: the userinfo's claims fill what the ID token lacks; its sub must be the same. */
static pc_status add_userinfo(oidc_state *s, const pc_idp_call *call, const json_t *doc,
                              const char *access_token, json_t *claims, char *why)
{
    const char *url = idp_config_str(doc, "userinfo_endpoint");
    idp_fetch f = {.method = "GET", .url = url, .bearer = access_token};
    json_t *info = NULL;
    pc_status rc;

    if (url == NULL || access_token == NULL ||
        json_is_false(json_object_get(call->config, "userinfo")))
        return PC_OK;
    rc = idp_fetch_json(s->host, &f, &info, why, WHY);
    if (rc == PC_OK && !json_equal(json_object_get(info, "sub"), json_object_get(claims, "sub"))) {
        snprintf(why, WHY, "the userinfo is about another subject");
        rc = PC_ERR_DENIED;
    }
    if (rc == PC_OK)
        json_object_update_missing(claims, info);
    json_decref(info);
    return rc;
}

static void fill(const pc_idp_call *call, const json_t *claims, pc_idp_identity *out)
{
    static const char defaults_text[] =
        "{\"username\":\"preferred_username\",\"email\":\"email\",\"email_verified\":"
        "\"email_verified\",\"name\":\"name\",\"given_name\":\"given_name\",\"family_name\":"
        "\"family_name\",\"picture\":\"picture\",\"phone_number\":\"phone_number\"}";
    json_t *defaults = json_loads(defaults_text, 0, NULL);
    const char *groups = idp_config_str(call->config, "groups_claim");
    const json_t *g = groups ? idp_json_path(claims, groups) : NULL;

    out->subject = idp_subject_of(json_object_get(claims, "sub"));
    out->claims = idp_claims_map(claims, json_object_get(call->config, "claims"), defaults);
    out->groups = json_is_array(g) ? json_deep_copy(g) : NULL;
    out->upstream_mfa = idp_amr_has_mfa(json_object_get(claims, "amr"));
    json_decref(defaults);
}

static pc_status finish(void *state, const pc_idp_call *call, pc_idp_identity *out)
{
    oidc_state *s = state;
    const char *issuer = idp_config_str(call->config, "issuer"), *problem;
    char why[WHY] = "";
    json_t *doc = NULL, *tokens = NULL, *claims = NULL;
    pc_status rc = oidc_discovery(s->cache, issuer, 0, &doc, why, sizeof why);

    if (rc != PC_OK)
        goto out;
    if ((problem = mixup_problem(call, doc)) != NULL) {
        rc = fail(call, PC_ERR_DENIED, problem);
        goto out;
    }
    if (call->param(call->ctx, "code") == NULL) {
        rc = fail(call, PC_ERR_DENIED, "the answer has no code");
        goto out;
    }
    rc = redeem(s, call, doc, &tokens, why);
    if (rc == PC_OK && idp_config_str(tokens, "id_token") == NULL) {
        snprintf(why, sizeof why, "the token answer has no ID token");
        rc = PC_ERR_DENIED;
    }
    if (rc == PC_OK)
        rc = verified_claims(s, call, idp_config_str(tokens, "id_token"), &claims, why);
    if (rc == PC_OK)
        rc = add_userinfo(s, call, doc, idp_config_str(tokens, "access_token"), claims, why);
    if (rc == PC_OK)
        fill(call, claims, out);
out:
    if (rc == PC_ERR_UNAVAILABLE)
        oidc_cache_forget(s->cache, issuer); /* refreshed on failure */
    if (rc != PC_OK && *why != '\0')
        call->error(call->ctx, why);
    json_decref(doc);
    json_decref(tokens);
    json_decref(claims);
    return rc;
}

/* For login pages: a button, with a logo hint from the issuer's host. */
static pc_status describe(void *state, const pc_idp_call *call, json_t **out)
{
    (void)state;
    *out = idp_describe_redirect(call, idp_config_str(call->config, "issuer"), "openid");
    return *out != NULL ? PC_OK : PC_ERR_INTERNAL;
}

static const char *const secrets[] = {"client_secret", NULL};

static const pc_idp_ops ops = {
    .base = PC_PLUGIN_BASE(pc_idp_ops, PC_KIND_IDP, NAME, "1.0.0",
                           "Sign in with an OpenID Connect provider (discovery, PKCE, ID token)",
                           init, fini),
    .kind = NAME,
    .flags = PC_IDP_REDIRECT,
    .secret_fields = secrets,
    .check_config = check_config,
    .describe = describe,
    .begin = begin,
    .finish = finish,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
