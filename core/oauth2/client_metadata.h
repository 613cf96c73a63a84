/* SPDX-License-Identifier: Apache-2.0 */
/* Client metadata of dynamic registration (RFC 7591 §2): to and from the application record. */
#ifndef PC_OAUTH2_CLIENT_METADATA_H
#define PC_OAUTH2_CLIENT_METADATA_H
#include <jansson.h>

/**
 * The application fields (name, type, grant_types, redirect_uris,
 * post_logout_redirect_uris, scopes, id_token_signed_response_alg,
 * token_endpoint_auth_method (private_key_jwt, else null), jwks, jwks_uri) that
 * registration metadata `meta` asks for (new), or NULL with *error
 * ("invalid_client_metadata" or "invalid_redirect_uri", RFC 7591 §3.2.2) and
 * *description set (static). Metadata this server does not keep (logo_uri,
 * contacts, ...) is ignored; what it keeps is checked here for shape only, the
 * management API's rules (applications.c) apply afterwards.
 */
json_t *pc_client_metadata_parse(const json_t *meta, const char **error, const char **description);
/** The registered metadata of an application record (RFC 7591 §3.2.1), without secrets (new). */
json_t *pc_client_metadata_view(const json_t *app);
#endif
