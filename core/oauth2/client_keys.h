/* SPDX-License-Identifier: Apache-2.0 */
/* An application's own signing keys (its jwks or jwks_uri) and JWTs it signs with them. */
#ifndef PC_OAUTH2_CLIENT_KEYS_H
#define PC_OAUTH2_CLIENT_KEYS_H
#include <jansson.h>
#include <portcullis/status.h>

/**
 * Verify a compact JWS signed by the application `app` (a client assertion,
 * RFC 7523, or a request object, RFC 9101) against the keys it registered:
 * `jwks` as stored, or the set at `jwks_uri`, fetched through the outbound
 * guard and cached for 5 minutes (fetched again, at most every 10 s, when no
 * key matches: the client may have rotated). The header's alg must be one of
 * RS256, PS256, ES256, EdDSA and fit the key. On PC_OK *claims (and *header
 * if not NULL) are new. PC_ERR_DENIED: no registered key verifies it (or the
 * application has none); PC_ERR_INVALID: malformed. Thread-safe.
 */
pc_status pc_oauth2_client_jwt_verify(const json_t *app, const char *jwt, json_t **header,
                                      json_t **claims);

/** Does the application have keys of its own (jwks or jwks_uri)? */
int pc_oauth2_client_has_keys(const json_t *app);

/**
 * The first problem of a `jwks` value an application registers (a JWK Set of
 * public signing keys the server can use), or NULL.
 */
const char *pc_oauth2_jwks_problem(const json_t *jwks);

/** Forget every fetched key set (tests, shutdown). */
void pc_oauth2_client_keys_reset(void);
#endif
