/* SPDX-License-Identifier: Apache-2.0 */
/* What the MFA endpoints of the management API share: bodies, error mapping, a throttled code check. */
#ifndef PC_API_MFA_API_H
#define PC_API_MFA_API_H
#include "api/api.h"
#include "iam/mfa.h"

/** The caller as a user, with the factors' actor filled in; replies 403 for applications (0). */
int pc_api_mfa_user_caller(pc_req *rq, pc_principal *p, pc_mfa_actor *a);
/**
 * Is the "password" of `body` the caller's own? Throttled like a code: 429 AUT-0012 when
 * throttled, 400 AUT-0015 (counted) when wrong; 0 after replying so.
 */
int pc_api_mfa_password_ok(pc_req *rq, const pc_mfa_actor *a, const pc_principal *p,
                           const json_t *body);
/** The JSON object body, or {} when there is none; NULL after replying 400 for a malformed one. */
json_t *pc_api_optional_body(pc_req *rq);
/** Reply 429 AUT-0012 with Retry-After. */
void pc_api_rate_limited(pc_req *rq, int64_t retry_after);
/** The API error of a scheme or factor status; `fields` (borrowed, may be NULL) for PC_ERR_INVALID. */
void pc_api_mfa_error(pc_req *rq, pc_status rc, const json_t *fields);

/** What to do in the transaction once the code is right. */
typedef pc_status (*pc_api_mfa_then)(pc_store_tx *tx, pc_req *rq, const pc_principal *p,
                                     const json_t *factors, const json_t *factor);
/**
 * Check `code` on `factor`: throttled per user and address, the factor locked
 * in a transaction; a right code runs `then` in it and answers 204; a wrong
 * one is 400 AUT-0014 (and counted), a throttled one 429 AUT-0012.
 */
void pc_api_mfa_check(pc_req *rq, const pc_mfa_actor *a, const json_t *factor, const char *code,
                      pc_api_mfa_then then, const pc_principal *p, const json_t *factors);
/** pc_api_mfa_check without the 204: PC_OK (nothing replied yet), or the error replied. */
pc_status pc_api_mfa_checked(pc_req *rq, const pc_mfa_actor *a, const json_t *factor,
                             const char *code, pc_api_mfa_then then, const pc_principal *p,
                             const json_t *factors);
#endif
