/* SPDX-License-Identifier: Apache-2.0 */
/* Discovery members of client authentication with JWTs, PAR and request objects (issue #18). */
#include "oidc/discovery.h"
#include "util/mem.h"

#include <stdlib.h>

/* RFC 8414 §2: what the token, introspection and revocation endpoints accept. */
static void auth_methods(json_t *doc, const char *endpoint, int with_none)
{
    char *methods = pc_asprintf("%s_endpoint_auth_methods_supported", endpoint);
    char *algs = pc_asprintf("%s_endpoint_auth_signing_alg_values_supported", endpoint);
    json_t *m = json_pack("[s,s,s,s]", "client_secret_basic", "client_secret_post",
                          "client_secret_jwt", "private_key_jwt");

    if (with_none)
        json_array_append_new(m, json_string("none"));
    json_object_set_new(doc, methods, m);
    /* HS256 for client_secret_jwt, the others for private_key_jwt */
    json_object_set_new(doc, algs,
                        json_pack("[s,s,s,s,s]", "HS256", "RS256", "PS256", "ES256", "EdDSA"));
    free(methods);
    free(algs);
}

void pc_oidc_discovery_client_auth(json_t *doc, const char *issuer)
{
    char *par = pc_asprintf("%s/oauth2/par", issuer);

    auth_methods(doc, "token", 1);
    auth_methods(doc, "introspection", 0);
    auth_methods(doc, "revocation", 0);
    /* RFC 9126 §5 */
    json_object_set_new(doc, "pushed_authorization_request_endpoint", json_string(par));
    json_object_set_new(doc, "require_pushed_authorization_requests", json_false());
    /* RFC 9101 §10.1: signed request objects, by value */
    json_object_set_new(doc, "request_parameter_supported", json_true());
    json_object_set_new(doc, "request_object_signing_alg_values_supported",
                        json_pack("[s,s,s,s]", "RS256", "PS256", "ES256", "EdDSA"));
    /* OIDC Back-Channel Logout 1.0 §2.1: logout tokens always carry sid */
    json_object_set_new(doc, "backchannel_logout_supported", json_true());
    json_object_set_new(doc, "backchannel_logout_session_supported", json_true());
    /* RFC 9449 §5.1 */
    json_object_set_new(doc, "dpop_signing_alg_values_supported",
                        json_pack("[s,s,s,s]", "RS256", "PS256", "ES256", "EdDSA"));
    free(par);
}
