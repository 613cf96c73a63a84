/* SPDX-License-Identifier: Apache-2.0 */
/* token_claims (API.md §16): claims an application's tokens carry from the user's attributes. */
#include "oidc/token_claims.h"

#include <string.h>

#define PREFIX "attributes."

/* Claims the server sets itself (RFC 7519 §4.1, RFC 9068, OIDC Core §2 and §5.1, RFC 8693). */
static const char *const reserved[] = {"iss",
                                       "sub",
                                       "aud",
                                       "exp",
                                       "nbf",
                                       "iat",
                                       "jti",
                                       "typ",
                                       "cty",
                                       "client_id",
                                       "scope",
                                       "sid",
                                       "amr",
                                       "acr",
                                       "azp",
                                       "auth_time",
                                       "nonce",
                                       "at_hash",
                                       "c_hash",
                                       "s_hash",
                                       "act",
                                       "may_act",
                                       "cnf",
                                       "grant_id",
                                       "roles",
                                       "groups",
                                       "entitlements",
                                       "name",
                                       "email",
                                       "email_verified",
                                       "phone_number",
                                       "phone_number_verified",
                                       "preferred_username",
                                       "given_name",
                                       "family_name",
                                       "updated_at",
                                       "idp",
                                       NULL};

static int name_ok(const char *k)
{
    size_t n = strlen(k);

    if (n == 0 || n > 64)
        return 0;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_.:-", *p) != NULL))
            return 0;
    for (size_t i = 0; reserved[i]; i++)
        if (strcmp(reserved[i], k) == 0)
            return 0;
    return 1;
}

const char *pc_oidc_token_claims_problem(const json_t *token_claims)
{
    const char *k, *v;
    json_t *val;

    if (token_claims == NULL || json_is_null(token_claims))
        return NULL;
    if (!json_is_object(token_claims) || json_object_size(token_claims) > 32)
        return "must be an object of at most 32 claims";
    json_object_foreach ((json_t *)token_claims, k, val) {
        if (!name_ok(k))
            return "claim names are 1 to 64 of [A-Za-z0-9_.:-] and not a reserved JWT claim";
        v = json_string_value(val);
        if (v == NULL || strncmp(v, PREFIX, strlen(PREFIX)) != 0 || v[strlen(PREFIX)] == '\0' ||
            strlen(v) > 128 + strlen(PREFIX))
            return "each value is \"attributes.<key>\"";
    }
    return NULL;
}

json_t *pc_oidc_token_claims_of(const json_t *app)
{
    json_t *tc = json_object_get(app, "token_claims");

    return json_is_object(tc) ? json_incref(tc) : json_object();
}

json_t *pc_oidc_token_claims_values(const json_t *token_claims, const json_t *user)
{
    const json_t *attrs = json_object_get(user, "attributes");
    const char *k;
    json_t *v, *out = NULL, *value;

    if (!json_is_object(token_claims) || !json_is_object(attrs))
        return NULL;
    json_object_foreach ((json_t *)token_claims, k, v) {
        const char *path = json_string_value(v);
        if (path == NULL || strncmp(path, PREFIX, strlen(PREFIX)) != 0)
            continue;
        value = json_object_get(attrs, path + strlen(PREFIX));
        if (value == NULL)
            continue;
        if (out == NULL)
            out = json_object();
        json_object_set(out, k, value);
    }
    return out;
}

void pc_oidc_token_claims_add(json_t *claims, const json_t *extra)
{
    const char *k;
    json_t *v;

    json_object_foreach ((json_t *)extra, k, v)
        if (json_object_get(claims, k) == NULL)
            json_object_set(claims, k, v);
}
