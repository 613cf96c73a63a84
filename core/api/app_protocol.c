/* SPDX-License-Identifier: Apache-2.0 */
/* Application fields of client authentication with JWTs and pushed requests (issue #18). */
#include "api/app_protocol.h"
#include "oauth2/client_assertion.h"
#include "oauth2/client_keys.h"
#include "server/outbound.h"

#include <portcullis/host.h>

#include <stdlib.h>
#include <string.h>

/* RFC 7591 §2: the token_endpoint_auth_method values this server speaks. */
static int known_method(const char *m)
{
    static const char *const methods[] = {"client_secret_basic",
                                          "client_secret_post",
                                          "client_secret_jwt",
                                          "private_key_jwt",
                                          "none",
                                          NULL};

    for (const char *const *p = methods; *p != NULL; p++)
        if (strcmp(*p, m) == 0)
            return 1;
    return 0;
}

static const char *method_problem(const json_t *app)
{
    const char *m = json_string_value(json_object_get(app, "token_endpoint_auth_method"));
    const char *type = json_string_value(json_object_get(app, "type"));
    int pub = type != NULL && strcmp(type, "public") == 0;

    if (m == NULL)
        return NULL;
    if (!known_method(m))
        return "must be client_secret_basic, client_secret_post, client_secret_jwt, "
               "private_key_jwt, none or null";
    if (pub != (strcmp(m, "none") == 0))
        return pub ? "a public client authenticates with none"
                   : "a confidential client cannot use none";
    if (strcmp(m, "private_key_jwt") == 0 && !pc_oauth2_client_has_keys(app))
        return "private_key_jwt needs jwks or jwks_uri";
    return NULL;
}

int pc_api_app_keys_only(const json_t *app)
{
    const char *m = json_string_value(json_object_get(app, "token_endpoint_auth_method"));

    return m != NULL && strcmp(m, "private_key_jwt") == 0;
}

const char *pc_api_app_protocol_problem(const json_t *app, const char **field)
{
    const json_t *jwks = json_object_get(app, "jwks");
    const char *uri = json_string_value(json_object_get(app, "jwks_uri"));
    const char *p;

    *field = "jwks";
    if (jwks != NULL && !json_is_null(jwks) && (p = pc_oauth2_jwks_problem(jwks)) != NULL)
        return p;
    *field = "jwks_uri";
    /* API.md §20: a jwks_uri is an outbound call like any other */
    if (uri != NULL && (p = pc_outbound_url_problem(uri, PC_OUTBOUND_HTTP_ANY,
                                                    pc_outbound_allow_private())) != NULL)
        return p;
    if (uri != NULL && json_is_object(jwks))
        return "give jwks or jwks_uri, not both";
    *field = "backchannel_logout_uri";
    uri = json_string_value(json_object_get(app, *field));
    /* API.md §20: where logout tokens are posted is an outbound call like any other */
    if (uri != NULL && (p = pc_outbound_url_problem(uri, PC_OUTBOUND_HTTP_ANY,
                                                    pc_outbound_allow_private())) != NULL)
        return p;
    *field = "token_endpoint_auth_method";
    return method_problem(app);
}

void pc_api_app_protocol_secret(json_t *rec, const char *secret)
{
    const char *m = json_string_value(json_object_get(rec, "token_endpoint_auth_method"));
    char *sealed;

    if (m == NULL || strcmp(m, "client_secret_jwt") != 0) {
        json_object_set_new(rec, "secret_enc", json_null());
        return;
    }
    if (secret == NULL)
        return; /* the one sealed with the current secret stays, if there is one */
    sealed = pc_client_secret_seal(json_string_value(json_object_get(rec, "id")), secret);
    json_object_set_new(rec, "secret_enc", sealed ? json_string(sealed) : json_null());
    free(sealed);
}

static json_t *or_null(const json_t *v)
{
    return v != NULL ? json_incref((json_t *)v) : json_null();
}

void pc_api_app_protocol_view(json_t *v, const json_t *app)
{
    json_object_set_new(v, "token_endpoint_auth_method",
                        or_null(json_object_get(app, "token_endpoint_auth_method")));
    json_object_set_new(v, "jwks", or_null(json_object_get(app, "jwks")));
    json_object_set_new(v, "jwks_uri", or_null(json_object_get(app, "jwks_uri")));
    json_object_set_new(v, "backchannel_logout_uri",
                        or_null(json_object_get(app, "backchannel_logout_uri")));
    json_object_set_new(v, "require_par",
                        json_boolean(json_is_true(json_object_get(app, "require_par"))));
}
