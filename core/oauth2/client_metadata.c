/* SPDX-License-Identifier: Apache-2.0 */
/* Client metadata of dynamic registration (RFC 7591 §2): to and from the application record. */
#include "oauth2/client_metadata.h"
#include "oauth2/client_keys.h"
#include "oauth2/grants.h"
#include "oauth2/redirect.h"
#include "oidc/claims.h"
#include "util/json.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define MAX_URIS 20
#define MAX_STRING 2048
#define DEFAULT_SCOPE "openid profile email"

/* What a self-registered client may hold: no password grant, no token exchange. */
static const char *const grants[] = {"authorization_code", "refresh_token", "client_credentials",
                                     PC_GRANT_DEVICE_CODE, NULL};
static const char *const methods[] = {"client_secret_basic", "client_secret_post", "none",
                                      "private_key_jwt", NULL};

typedef struct parse {
    const char *error;
    const char *description;
} parse;

static int one_of(const char *s, const char *const *list)
{
    for (size_t i = 0; s != NULL && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static int fail(parse *p, const char *error, const char *description)
{
    p->error = error;
    p->description = description;
    return 0;
}

/* An array of at most MAX_URIS bounded strings, each in `allowed` when given; absent is []. */
static json_t *strings(const json_t *v, const char *const *allowed, parse *p, const char *what)
{
    size_t i;
    json_t *e;

    if (v == NULL || json_is_null(v))
        return json_array();
    if (!json_is_array(v) || json_array_size(v) > MAX_URIS)
        return fail(p, "invalid_client_metadata", what), NULL;
    json_array_foreach (v, i, e) {
        const char *s = json_string_value(e);
        if (s == NULL || *s == '\0' || strlen(s) > MAX_STRING || (allowed && !one_of(s, allowed)))
            return fail(p, "invalid_client_metadata", what), NULL;
    }
    return json_deep_copy(v);
}

static const char *text(const json_t *meta, const char *name, parse *p, const char *what)
{
    const json_t *v = json_object_get(meta, name);
    const char *s = json_string_value(v);

    if (v != NULL && !json_is_null(v) && (s == NULL || *s == '\0' || strlen(s) > MAX_STRING))
        fail(p, "invalid_client_metadata", what);
    return s;
}

/* The scope value as a list; portcullis:manage is granted by administrators only. */
static json_t *scopes(const char *scope, parse *p)
{
    char *copy = pc_strdup(scope ? scope : DEFAULT_SCOPE), *item, *save = NULL;
    json_t *a = json_array();

    for (item = strtok_r(copy, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
        if (strcmp(item, PC_SCOPE_MANAGE) == 0 || json_array_size(a) >= MAX_URIS) {
            fail(p, "invalid_client_metadata", "scope asks for what registration cannot grant");
            break;
        }
        json_array_append_new(a, json_string(item));
    }
    free(copy);
    return a;
}

/* RFC 7591 §2: redirect-based grants need redirect URIs; each must be one we accept. */
static int redirects_ok(const json_t *uris, const json_t *grant_types, parse *p)
{
    size_t i;
    json_t *u;

    json_array_foreach (uris, i, u)
        if (!pc_redirect_uri_valid(json_string_value(u)))
            return fail(p, "invalid_redirect_uri", "a redirect URI is not acceptable");
    for (i = 0; i < json_array_size(grant_types); i++)
        if (strcmp(json_string_value(json_array_get(grant_types, i)), "authorization_code") == 0 &&
            json_array_size(uris) == 0)
            return fail(p, "invalid_redirect_uri", "authorization_code needs redirect_uris");
    return 1;
}

/* RFC 7591 §2.1: response_types and grant_types must agree; only "code" is served. */
static int responses_ok(const json_t *meta, const json_t *grant_types, parse *p)
{
    static const char *const codes[] = {"code", NULL};
    json_t *rt = strings(json_object_get(meta, "response_types"), codes, p,
                         "only the response type code is supported");
    int asks_code = rt != NULL && json_array_size(rt) > 0, has_code = 0;

    for (size_t i = 0; i < json_array_size(grant_types); i++)
        has_code |=
            strcmp(json_string_value(json_array_get(grant_types, i)), "authorization_code") == 0;
    json_decref(rt);
    if (p->error == NULL && asks_code && !has_code)
        return fail(p, "invalid_client_metadata", "response type code needs authorization_code");
    return p->error == NULL;
}

/*
 * RFC 7591 §2: the client's keys, jwks (a JWK Set of usable public signing
 * keys) or jwks_uri, never both; private_key_jwt needs one of them. The URI is
 * checked against the outbound rules when the record is (pc_api_app_problem).
 * Sets both members on `out` (null when absent, so that RFC 7592 replaces them).
 */
static int keys_ok(const json_t *meta, const char *method, json_t *out, parse *p)
{
    const json_t *jwks = json_object_get(meta, "jwks");
    const char *uri = text(meta, "jwks_uri", p, "jwks_uri must be a URL");

    if (jwks != NULL && json_is_null(jwks))
        jwks = NULL;
    if (p->error != NULL)
        return 0;
    if (jwks != NULL && pc_oauth2_jwks_problem(jwks) != NULL)
        return fail(p, "invalid_client_metadata",
                    "jwks must be a JWK Set of public RSA (2048 bits or more), P-256 or Ed25519 "
                    "signing keys");
    if (jwks != NULL && uri != NULL)
        return fail(p, "invalid_client_metadata", "give jwks or jwks_uri, not both");
    if (method != NULL && strcmp(method, "private_key_jwt") == 0 && jwks == NULL && uri == NULL)
        return fail(p, "invalid_client_metadata", "private_key_jwt needs jwks or jwks_uri");
    json_object_set_new(out, "jwks", jwks ? json_deep_copy(jwks) : json_null());
    json_object_set_new(out, "jwks_uri", uri ? json_string(uri) : json_null());
    /* kept only for the JWT method: the secret methods are what a null stands for */
    json_object_set_new(out, "token_endpoint_auth_method",
                        method && strcmp(method, "private_key_jwt") == 0 ? json_string(method)
                                                                         : json_null());
    return 1;
}

static json_t *fields(const json_t *meta, parse *p)
{
    const char *method = text(meta, "token_endpoint_auth_method", p, "bad auth method");
    const char *name = text(meta, "client_name", p, "client_name must be a string");
    const char *alg = text(meta, "id_token_signed_response_alg", p, "bad id token alg");
    const json_t *gt = json_object_get(meta, "grant_types");
    json_t *g = gt ? strings(gt, grants, p, "a grant type is not available to registered clients")
                   : json_pack("[s]", "authorization_code");
    json_t *r = strings(json_object_get(meta, "redirect_uris"), NULL, p, "redirect_uris");
    json_t *l = strings(json_object_get(meta, "post_logout_redirect_uris"), NULL, p,
                        "post_logout_redirect_uris");
    json_t *s = scopes(text(meta, "scope", p, "scope must be a string"), p), *out;

    if (p->error == NULL && method != NULL && !one_of(method, methods))
        fail(p, "invalid_client_metadata", "token_endpoint_auth_method is not supported");
    out =
        json_pack("{s:s,s:o*,s:o*,s:o*,s:o}", "type",
                  method && strcmp(method, "none") == 0 ? "public" : "confidential", "grant_types",
                  g, "redirect_uris", r, "post_logout_redirect_uris", l, "scopes", s);
    if (out != NULL && name != NULL)
        json_object_set_new(out, "name", json_string(name));
    if (out != NULL && alg != NULL)
        json_object_set_new(out, "id_token_signed_response_alg", json_string(alg));
    if (out != NULL && p->error == NULL)
        keys_ok(meta, method, out, p);
    return out;
}

json_t *pc_client_metadata_parse(const json_t *meta, const char **error, const char **description)
{
    parse p = {0};
    json_t *out = NULL;

    if (!json_is_object(meta)) {
        fail(&p, "invalid_client_metadata", "the body must be a JSON object");
    } else {
        out = fields(meta, &p);
        if (p.error == NULL && out == NULL)
            fail(&p, "invalid_client_metadata", "the metadata is malformed");
        if (p.error == NULL)
            redirects_ok(json_object_get(out, "redirect_uris"), json_object_get(out, "grant_types"),
                         &p);
        if (p.error == NULL)
            responses_ok(meta, json_object_get(out, "grant_types"), &p);
    }
    if (p.error != NULL) {
        json_decref(out);
        *error = p.error;
        *description = p.description;
        return NULL;
    }
    return out;
}

static json_t *joined(const json_t *list)
{
    size_t i;
    json_t *v;
    char *s = pc_strdup(""), *next;

    json_array_foreach (list, i, v) {
        next = pc_asprintf("%s%s%s", s, *s ? " " : "", json_string_value(v));
        free(s);
        s = next;
    }
    v = json_string(s);
    free(s);
    return v;
}

json_t *pc_client_metadata_view(const json_t *app)
{
    int pub = strcmp(json_string_value(json_object_get(app, "type")), "public") == 0;
    const json_t *alg = json_object_get(app, "id_token_signed_response_alg");
    const char *method = json_string_value(json_object_get(app, "token_endpoint_auth_method"));
    json_t *v =
        json_pack("{s:O,s:O,s:O,s:O,s:O,s:s,s:o}", "client_id", json_object_get(app, "client_id"),
                  "client_name", json_object_get(app, "name"), "redirect_uris",
                  json_object_get(app, "redirect_uris"), "post_logout_redirect_uris",
                  json_object_get(app, "post_logout_redirect_uris"), "grant_types",
                  json_object_get(app, "grant_types"), "token_endpoint_auth_method",
                  method ? method
                  : pub  ? "none"
                         : "client_secret_basic",
                  "scope", joined(json_object_get(app, "scopes")));

    json_object_set_new(
        v, "response_types",
        pc_json_has_string(json_object_get(app, "grant_types"), "authorization_code")
            ? json_pack("[s]", "code")
            : json_array());
    if (json_is_string(alg))
        json_object_set(v, "id_token_signed_response_alg", (json_t *)alg);
    if (json_is_object(json_object_get(app, "jwks"))) /* RFC 7591 §2 */
        json_object_set(v, "jwks", json_object_get(app, "jwks"));
    if (json_is_string(json_object_get(app, "jwks_uri")))
        json_object_set(v, "jwks_uri", json_object_get(app, "jwks_uri"));
    json_object_set(v, "client_id_issued_at", json_object_get(app, "created_at"));
    return v;
}
