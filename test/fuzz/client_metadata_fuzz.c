/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes dynamic registration metadata (core/oauth2/client_metadata.c, RFC 7591 §2): any
 * JSON a client posts is refused with an RFC 7591 error or becomes application fields
 * that keep the promises registration makes, and their metadata view renders. Keys
 * (RFC 7591 §2 jwks, jwks_uri) come out usable, one kind at most, and private_key_jwt
 * never without them.
 */
#include "fuzz_support.h"
#include "oauth2/client_keys.h"
#include "oauth2/client_metadata.h"
#include "oauth2/redirect.h"

#include <jansson.h>

static int only(const json_t *list, const char *const *allowed)
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v) {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], json_string_value(v)) != 0)
            k++;
        if (allowed[k] == NULL)
            return 0;
    }
    return 1;
}

/* The keys and the JWT method: as registration promises them (issue #18). */
static void check_keys(const json_t *f, const json_t *view)
{
    const json_t *jwks = json_object_get(f, "jwks"), *uri = json_object_get(f, "jwks_uri");
    const char *method = json_string_value(json_object_get(f, "token_endpoint_auth_method"));

    FUZZ_ASSERT(json_is_null(jwks) || pc_oauth2_jwks_problem(jwks) == NULL);
    FUZZ_ASSERT(json_is_null(uri) || (json_is_string(uri) && json_string_length(uri) > 0));
    FUZZ_ASSERT(json_is_null(jwks) || json_is_null(uri));
    if (method != NULL) {
        FUZZ_ASSERT(strcmp(method, "private_key_jwt") == 0);
        FUZZ_ASSERT(strcmp(json_string_value(json_object_get(f, "type")), "confidential") == 0);
        FUZZ_ASSERT(pc_oauth2_client_has_keys(f));
        FUZZ_ASSERT(strcmp(json_string_value(json_object_get(view, "token_endpoint_auth_method")),
                           "private_key_jwt") == 0);
    }
}

static void check_fields(const json_t *f)
{
    static const char *const grants[] = {"authorization_code", "refresh_token",
                                         "client_credentials",
                                         "urn:ietf:params:oauth:grant-type:device_code", NULL};
    const char *type = json_string_value(json_object_get(f, "type"));
    size_t i;
    json_t *v, *app, *view;

    FUZZ_ASSERT(type && (strcmp(type, "public") == 0 || strcmp(type, "confidential") == 0));
    FUZZ_ASSERT(only(json_object_get(f, "grant_types"), grants));
    json_array_foreach (json_object_get(f, "redirect_uris"), i, v)
        FUZZ_ASSERT(pc_redirect_uri_valid(json_string_value(v)));
    json_array_foreach (json_object_get(f, "scopes"), i, v)
        FUZZ_ASSERT(strcmp(json_string_value(v), "portcullis:manage") != 0);
    FUZZ_ASSERT(json_object_get(f, "first_party") == NULL);
    app = json_deep_copy(f);
    json_object_set_new(app, "client_id", json_string("c"));
    json_object_set_new(app, "name", json_string("n"));
    json_object_set_new(app, "created_at", json_integer(1));
    view = pc_client_metadata_view(app);
    FUZZ_ASSERT(view != NULL && json_is_string(json_object_get(view, "scope")));
    check_keys(f, view);
    json_decref(view);
    json_decref(app);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *meta = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    const char *error = NULL, *why = NULL;
    json_t *f;

    if (meta == NULL)
        return 0;
    f = pc_client_metadata_parse(meta, &error, &why);
    if (f == NULL)
        FUZZ_ASSERT(error != NULL && why != NULL &&
                    (strcmp(error, "invalid_client_metadata") == 0 ||
                     strcmp(error, "invalid_redirect_uri") == 0));
    else
        check_fields(f);
    json_decref(f);
    json_decref(meta);
    return 0;
}
