/* SPDX-License-Identifier: Apache-2.0 */
/* DPoP on HTTP requests (RFC 9449 §7): the DPoP authorization scheme and the proof of a bound token. */
#ifndef PC_HTTP_DPOP_H
#define PC_HTTP_DPOP_H
#include "http/request.h"

/** The token of "Authorization: DPoP <token>", or NULL. Borrowed from the request. */
const char *pc_req_dpop_token(const pc_req *rq);

/**
 * The access token of the Authorization header (Bearer or DPoP scheme), or
 * NULL; *dpop_scheme says which. Borrowed from the request.
 */
const char *pc_req_access_token(const pc_req *rq, int *dpop_scheme);

/**
 * pc_oauth2_access_accept() for the access token of the Authorization header
 * (`token`, under the DPoP scheme when `dpop_scheme`), with htm the request's
 * method and htu PUBLIC_URL + its path. When nonces are on, a refused proof's
 * reply gets DPoP-Nonce. *claims is new on PC_OK; the statuses, *error and
 * *why are pc_oauth2_access_accept()'s.
 */
pc_status pc_http_access_accept(pc_req *rq, const char *token, int dpop_scheme, json_t **claims,
                                const char **error, const char **why);
#endif
