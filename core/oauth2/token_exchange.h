/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 8693 token exchange: down-scoping, and impersonation with a reason (API.md §16). */
#ifndef PC_OAUTH2_TOKEN_EXCHANGE_H
#define PC_OAUTH2_TOKEN_EXCHANGE_H
#include "oauth2/grant_ctx.h"

/** The host side of pc_grant_call.subject_exchange (see grant.h); sets ctx's subject or error. */
pc_status pc_token_exchange(pc_grant_ctx *ctx, const char *subject_token,
                            const char *requested_subject, const char *reason);
#endif
