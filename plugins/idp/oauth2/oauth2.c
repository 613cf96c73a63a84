/* SPDX-License-Identifier: Apache-2.0 */
/* The oauth2 identity provider: sign in at an OAuth 2.0 server without OIDC (GitHub-style), then its userinfo. */
#include "idp_util.h"

#include <stdlib.h>
#include <string.h>

#define NAME "oauth2"
#define WHY 256

typedef struct oauth2_state {
    const pc_host *host;
} oauth2_state;

static pc_status init(const pc_host *host, const json_t *config, void **state)
{
    oauth2_state *s;

    (void)config;
    if (!idp_host_usable(host))
        return PC_ERR_INVALID;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return PC_ERR_INTERNAL;
    s->host = host;
    *state = s;
    return PC_OK;
}

static void fini(void *state)
{
    free(state);
}

static const char *const known[] = {"authorization_endpoint",
                                    "token_endpoint",
                                    "userinfo_endpoint",
                                    "client_id",
                                    "client_secret",
                                    "scopes",
                                    "claims",
                                    "subject",
                                    "token_endpoint_auth_method",
                                    "pkce",
                                    "groups_claim",
                                    "group_roles",
                                    NULL};

static const char *unknown_member(const json_t *config)
{
    const char *key;
    const json_t *v;

    json_object_foreach ((json_t *)config, key, v) {
        size_t i = 0;
        while (known[i] != NULL && strcmp(known[i], key) != 0)
            i++;
        if (known[i] == NULL)
            return key;
    }
    return NULL;
}

static pc_status check_config(void *state, const json_t *config, const char **field,
                              const char **problem)
{
    static const char *const urls[] = {"authorization_endpoint", "token_endpoint",
                                       "userinfo_endpoint", NULL};
    oauth2_state *s = state;
    const char *method = idp_config_str(config, "token_endpoint_auth_method");

    *problem = NULL;
    if (unknown_member(config) != NULL) {
        *field = NULL;
        *problem = "has a member this kind does not know";
        return PC_ERR_INVALID;
    }
    for (size_t i = 0; urls[i] != NULL && *problem == NULL; i++) {
        *field = urls[i];
        *problem = idp_config_str(config, urls[i]) == NULL
                       ? "is required"
                       : s->host->outbound_url_problem(idp_config_str(config, urls[i]),
                                                       PC_OUTBOUND_HTTP_ANY);
    }
    if (*problem == NULL && idp_config_str(config, "client_id") == NULL) {
        *field = "client_id";
        *problem = "is required";
    }
    if (*problem == NULL && method != NULL && strcmp(method, "client_secret_basic") != 0 &&
        strcmp(method, "client_secret_post") != 0) {
        *field = "token_endpoint_auth_method";
        *problem = "must be client_secret_basic or client_secret_post";
    }
    return *problem == NULL ? PC_OK : PC_ERR_INVALID;
}

static pc_status begin(void *state, const pc_idp_call *call, char **url)
{
    /* RFC 7636 where the server supports it (config "pkce", default true) */
    int pkce = !json_is_false(json_object_get(call->config, "pkce"));
    char *scope = idp_scopes(call->config, "");
    const char *pairs[] = {"response_type",
                           "code",
                           "client_id",
                           idp_config_str(call->config, "client_id"),
                           "redirect_uri",
                           call->redirect_uri,
                           "scope",
                           *scope ? scope : NULL,
                           "state",
                           call->state,
                           "code_challenge",
                           pkce ? call->code_challenge : NULL,
                           "code_challenge_method",
                           pkce ? "S256" : NULL,
                           NULL};

    (void)state;
    *url = idp_url_with(idp_config_str(call->config, "authorization_endpoint"), pairs);
    free(scope);
    return PC_OK;
}

static pc_status redeem(oauth2_state *s, const pc_idp_call *call, json_t **tokens, char *why)
{
    const char *method = idp_config_str(call->config, "token_endpoint_auth_method");
    int post = method != NULL && strcmp(method, "client_secret_post") == 0;
    int pkce = !json_is_false(json_object_get(call->config, "pkce"));
    const char *secret = idp_config_str(call->config, "client_secret");
    const char *pairs[] = {"grant_type",
                           "authorization_code",
                           "code",
                           call->param(call->ctx, "code"),
                           "redirect_uri",
                           call->redirect_uri,
                           "code_verifier",
                           pkce ? call->code_verifier : NULL,
                           "client_id",
                           post || !secret ? idp_config_str(call->config, "client_id") : NULL,
                           "client_secret",
                           post ? secret : NULL,
                           NULL};
    char *form = idp_form(pairs);
    idp_fetch f = {.method = "POST",
                   .url = idp_config_str(call->config, "token_endpoint"),
                   .body = form,
                   .basic_user = !post && secret ? idp_config_str(call->config, "client_id") : NULL,
                   .basic_password = !post ? secret : NULL};
    pc_status rc = idp_fetch_json(s->host, &f, tokens, why, WHY);

    free(form);
    if (rc == PC_OK) /* GitHub refuses a code with 200 and an error member */
        rc = idp_token_refusal(*tokens, why, WHY);
    if (rc == PC_OK && idp_config_str(*tokens, "access_token") == NULL) {
        snprintf(why, WHY, "the token answer has no access token");
        rc = PC_ERR_DENIED;
    }
    return rc;
}

static void fill(const pc_idp_call *call, const json_t *info, pc_idp_identity *out)
{
    static const char defaults_text[] =
        "{\"username\":\"login\",\"email\":\"email\",\"email_verified\":\"email_verified\","
        "\"name\":\"name\",\"picture\":\"avatar_url\"}";
    json_t *defaults = json_loads(defaults_text, 0, NULL);
    const char *subject = idp_config_str(call->config, "subject"),
               *groups = idp_config_str(call->config, "groups_claim");
    const json_t *g = groups ? idp_json_path(info, groups) : NULL;

    out->subject = idp_subject_of(idp_json_path(info, subject ? subject : "id"));
    if (out->subject == NULL && subject == NULL)
        out->subject = idp_subject_of(json_object_get(info, "sub"));
    out->claims = idp_claims_map(info, json_object_get(call->config, "claims"), defaults);
    out->groups = json_is_array(g) ? json_deep_copy(g) : NULL;
    json_decref(defaults);
}

static pc_status finish(void *state, const pc_idp_call *call, pc_idp_identity *out)
{
    oauth2_state *s = state;
    char why[WHY] = "";
    json_t *tokens = NULL, *info = NULL;
    idp_fetch f = {.method = "GET", .url = idp_config_str(call->config, "userinfo_endpoint")};
    pc_status rc = PC_ERR_DENIED;

    if (call->param(call->ctx, "code") == NULL)
        snprintf(why, sizeof why, "the answer has no code");
    else
        rc = redeem(s, call, &tokens, why);
    f.bearer = idp_config_str(tokens, "access_token");
    if (rc == PC_OK)
        rc = idp_fetch_json(s->host, &f, &info, why, sizeof why);
    if (rc == PC_OK) {
        fill(call, info, out);
        if (out->subject == NULL) {
            snprintf(why, sizeof why, "the userinfo has no subject");
            rc = PC_ERR_DENIED;
        }
    }
    if (rc != PC_OK)
        call->error(call->ctx, why);
    json_decref(tokens);
    json_decref(info);
    return rc;
}

/* For login pages: a button, with a logo hint from the authorization endpoint's host. */
static pc_status describe(void *state, const pc_idp_call *call, json_t **out)
{
    (void)state;
    *out = idp_describe_redirect(call, idp_config_str(call->config, "authorization_endpoint"),
                                 "oauth2");
    return *out != NULL ? PC_OK : PC_ERR_INTERNAL;
}

static const char *const secrets[] = {"client_secret", NULL};

static const pc_idp_ops ops = {
    .base =
        PC_PLUGIN_BASE(pc_idp_ops, PC_KIND_IDP, NAME, "1.0.0",
                       "Sign in with an OAuth 2.0 server and its userinfo endpoint", init, fini),
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
