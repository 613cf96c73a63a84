/* SPDX-License-Identifier: Apache-2.0 */
/* Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3). */
#ifndef PC_OAUTH2_CLIENT_AUTH_H
#define PC_OAUTH2_CLIENT_AUTH_H
#include "oauth2/request.h"

typedef struct pc_client {
    json_t *app;    /**< the application record (owned) */
    const char *id; /**< its UUID */
    const char *client_id;
    int is_public;
} pc_client;

/**
 * Authenticate the client of `rq` by client_secret_basic, client_secret_post
 * or, for public clients, client_id alone (`allow_public`). On failure the
 * reply is set (400 invalid_request, 401 invalid_client or 429) and a
 * non-PC_OK status returned. Failures are throttled per client and address.
 */
pc_status pc_oauth2_client_authenticate(const pc_oauth_request *rq, int allow_public,
                                        pc_client *out, pc_oauth_reply *reply);
void pc_client_clear(pc_client *c);
/** Does the client hold grant type `grant`? */
int pc_client_has_grant(const pc_client *c, const char *grant);

/** Hash a client secret for storage (HMAC-SHA256 keyed by the server pepper); new string. */
char *pc_client_secret_hash(const char *secret);
/** Constant-time check of a secret against its stored hash. */
int pc_client_secret_matches(const char *stored_hash, const char *secret);
#endif
