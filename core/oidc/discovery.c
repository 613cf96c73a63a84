/* SPDX-License-Identifier: Apache-2.0 */
/* The discovery document (OIDC Discovery 1.0 §3, RFC 8414 §2). */
#include "oidc/discovery.h"
#include "oauth2/grants.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Every claim an ID token or UserInfo carries (OIDC Core §2, §5.1; oidc/claims.c, id_token.c). */
static const char *const claims[] = {"sub",
                                     "iss",
                                     "aud",
                                     "azp",
                                     "exp",
                                     "iat",
                                     "auth_time",
                                     "nonce",
                                     "amr",
                                     "sid",
                                     "at_hash",
                                     "name",
                                     "given_name",
                                     "family_name",
                                     "preferred_username",
                                     "picture",
                                     "updated_at",
                                     "email",
                                     "email_verified",
                                     "phone_number",
                                     "phone_number_verified",
                                     NULL};

static json_t *strings(const char *const *list)
{
    json_t *a = json_array();

    for (size_t i = 0; list[i]; i++)
        json_array_append_new(a, json_string(list[i]));
    return a;
}

static void endpoint(json_t *doc, const char *name, const char *issuer, const char *path)
{
    char *url = pc_asprintf("%s%s", issuer, path);

    json_object_set_new(doc, name, json_string(url));
    free(url);
}

/* ---- dynamic client registration (RFC 7591 §3; API.md §19) ---- */
void pc_oidc_discovery_registration(json_t *doc, const char *issuer, const char *mode)
{
    if (mode != NULL && (strcmp(mode, "open") == 0 || strcmp(mode, "protected") == 0))
        endpoint(doc, "registration_endpoint", issuer, "/oauth2/register");
}
/* ---- end of dynamic client registration ---- */

json_t *pc_oidc_discovery(const char *issuer)
{
    json_t *doc = json_pack(
        "{s:s,s:[s],s:[s],s:[s],s:[s,s,s,s],s:[s,s,s,s],s:[s,s,s],s:[s,s],s:[s,s],"
        "s:[s,s,s,s,s],s:[s],s:b,s:b}",
        "issuer", issuer, "response_types_supported", "code", "response_modes_supported", "query",
        "subject_types_supported", "public", "id_token_signing_alg_values_supported", "RS256",
        "PS256", "ES256", "EdDSA", "access_token_signing_alg_values_supported", "ES256", "RS256",
        "PS256", "EdDSA", "token_endpoint_auth_methods_supported", "client_secret_basic",
        "client_secret_post", "none", "introspection_endpoint_auth_methods_supported",
        "client_secret_basic", "client_secret_post", "revocation_endpoint_auth_methods_supported",
        "client_secret_basic", "client_secret_post", "scopes_supported", "openid", "profile",
        "email", "phone", "offline_access", "code_challenge_methods_supported", "S256",
        "claims_parameter_supported", 0, "request_parameter_supported", 0);

    endpoint(doc, "authorization_endpoint", issuer, "/oauth2/authorize");
    endpoint(doc, "token_endpoint", issuer, "/oauth2/token");
    endpoint(doc, "userinfo_endpoint", issuer, "/oauth2/userinfo");
    endpoint(doc, "jwks_uri", issuer, "/oauth2/jwks");
    endpoint(doc, "introspection_endpoint", issuer, "/oauth2/introspect");
    endpoint(doc, "revocation_endpoint", issuer, "/oauth2/revoke");
    endpoint(doc, "end_session_endpoint", issuer, "/oauth2/end_session");
    /* RFC 9207: authorization responses carry iss. */
    json_object_set_new(doc, "authorization_response_iss_parameter_supported", json_true());
    /* Exactly the grant types whose plugins are loaded. */
    json_object_set_new(doc, "grant_types_supported", pc_grants_list());
    pc_oidc_discovery_client_auth(doc, issuer); /* issue #18 */
    json_object_set_new(doc, "claims_supported", strings(claims));
    /* OIDC Discovery §3: request_uri is not served (PAR keeps its own; RFC 9126 §5). */
    json_object_set_new(doc, "request_uri_parameter_supported", json_false());
    /* ---- device authorization (RFC 8628 §4) ---- */
    if (pc_grants_loaded(PC_GRANT_DEVICE_CODE))
        endpoint(doc, "device_authorization_endpoint", issuer, "/oauth2/device_authorization");
    /* ---- end of device authorization ---- */
    return doc;
}
