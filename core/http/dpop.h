/* SPDX-License-Identifier: Apache-2.0 */
/* DPoP on HTTP requests (RFC 9449 §7): the DPoP authorization scheme and the proof of a bound token. */
#ifndef PC_HTTP_DPOP_H
#define PC_HTTP_DPOP_H
#include "http/request.h"

/** The token of "Authorization: DPoP <token>", or NULL. Borrowed from the request. */
const char *pc_req_dpop_token(const pc_req *rq);

/**
 * May the verified access token `claims` (sent as `token`, with the DPoP
 * scheme when `dpop_scheme`) be used on this request? RFC 9449 §7 with htm
 * the request's method and htu PUBLIC_URL + its path. PC_OK; PC_ERR_DENIED
 * or PC_DECLINED (a nonce is needed: DPoP-Nonce is set on the reply) with
 * *why; PC_ERR_STORAGE.
 */
pc_status pc_http_dpop_sender(pc_req *rq, const json_t *claims, const char *token, int dpop_scheme,
                              const char **why);
#endif
