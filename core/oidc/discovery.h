/* SPDX-License-Identifier: Apache-2.0 */
/* The discovery document (OIDC Discovery 1.0 §3, RFC 8414 §2). */
#ifndef PC_OIDC_DISCOVERY_H
#define PC_OIDC_DISCOVERY_H
#include <jansson.h>

/** The document for issuer `issuer` (new). */
json_t *pc_oidc_discovery(const char *issuer);
/** Add the members of client authentication with JWTs, PAR and request objects (issue #18). */
void pc_oidc_discovery_client_auth(json_t *doc, const char *issuer);
/**
 * Add registration_endpoint when the tenant's dynamic_client_registration
 * setting `mode` is "open" or "protected" (RFC 7591; API.md §19).
 */
void pc_oidc_discovery_registration(json_t *doc, const char *issuer, const char *mode);
#endif
