/* SPDX-License-Identifier: Apache-2.0 */
/* DPoP at the OAuth endpoints (RFC 9449 §5, §10.1): the proof of a token or pushed request. */
#ifndef PC_OAUTH2_DPOP_TOKEN_H
#define PC_OAUTH2_DPOP_TOKEN_H
#include "oauth2/request.h"

/**
 * The DPoP proof of a POST to the issuer's endpoint `path` ("/oauth2/token",
 * "/oauth2/par"), if any: 1 with *jkt (new, or NULL when the request carries
 * no proof) to go on; 0 after setting the reply (400 invalid_dpop_proof or
 * use_dpop_nonce, 503). Adds DPoP-Nonce to the reply when the server requires
 * nonces.
 */
int pc_oauth2_dpop_token_proof(const pc_oauth_request *rq, const char *path, char **jkt,
                               pc_oauth_reply *reply);
#endif
