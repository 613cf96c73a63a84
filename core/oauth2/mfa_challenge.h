/* SPDX-License-Identifier: Apache-2.0 */
/* POST /api/v1/mfa/challenge: a client has the email or SMS code of a pending sign-in sent (API.md §2). */
#ifndef PC_OAUTH2_MFA_CHALLENGE_H
#define PC_OAUTH2_MFA_CHALLENGE_H
#include "oauth2/request.h"

/** Authenticate the client, then send the code of `method` for `mfa_token`: 204 (no body) or an OAuth error. */
void pc_oauth2_mfa_challenge(const pc_oauth_request *rq, pc_oauth_reply *reply);
#endif
