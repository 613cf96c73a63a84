/* SPDX-License-Identifier: Apache-2.0 */
/* Client authentication with JWTs (RFC 7523 §2.2, §3): private_key_jwt assertions. */
#ifndef PC_OAUTH2_CLIENT_ASSERTION_H
#define PC_OAUTH2_CLIENT_ASSERTION_H
#include <jansson.h>
#include <portcullis/status.h>
#include "iam/tenant.h"

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
#define PC_CLIENT_ASSERTION_JWT "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/** Seal a client secret for client_secret_jwt: master key, bound to the application id. New. */
char *pc_client_secret_seal(const char *app_id, const char *secret);

/** The client an assertion names (its "sub", not verified: only to find the client). New or NULL. */
char *pc_oauth2_assertion_client_id(const char *assertion);

/**
 * The checks of pc_oauth2_assertion_verify() that need no store: signature,
 * iss, sub, aud, exp, nbf, iat and the presence of jti, at time `now`. On
 * PC_OK *claims is new; PC_ERR_DENIED with *why (static) otherwise.
 */
pc_status pc_oauth2_assertion_check(const json_t *app, const char *assertion, const char *issuer,
                                    const char *endpoint_url, int64_t now, json_t **claims,
                                    const char **why);

/**
 * RFC 7523 §3: verify a client assertion of application `app` sent to
 * `endpoint_url` in tenant `t`: signed by a key the application registered
 * (private_key_jwt) or MACed with its secret (client_secret_jwt, HS256),
 * iss and sub its client_id, aud the issuer or `endpoint_url` (API.md §19),
 * exp in the future and at most an hour away, nbf and iat not in the future,
 * and a jti never used before (remembered in the store until exp). PC_OK;
 * PC_ERR_DENIED with *why (static) when the assertion fails; PC_ERR_STORAGE
 * when the store cannot say whether the jti was used.
 */
pc_status pc_oauth2_assertion_verify(const pc_tenant *t, const json_t *app, const char *assertion,
                                     const char *endpoint_url, const char **why);
#endif
