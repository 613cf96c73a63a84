/* SPDX-License-Identifier: Apache-2.0 */
/* What the link endpoints (reset, verification, invitation, registration) share. */
#ifndef PC_API_LINKS_H
#define PC_API_LINKS_H
#include "api/api.h"
#include "iam/email_links.h"

/**
 * Rate limits of API.md §12: this address, and (when `target` is not NULL) this
 * target address or name; each call counts. Replies 429 AUT-0012 with Retry-After
 * and returns 0 when over.
 */
int pc_api_links_allowed(pc_req *rq, const char *target);
/** The tenant's email provider (new), or NULL after replying (503 AUT-0017 saying so). */
json_t *pc_api_links_provider(pc_req *rq);
/** Queue the message of a committed link; on failure replies 503 AUT-0017 and returns 0. */
int pc_api_links_send(pc_req *rq, const json_t *provider, const pc_link_spec *spec,
                      const char *token);
/** Issue a verification link for `user` in `tx` (its email); *token new. */
pc_status pc_api_verification_issue(pc_store_tx *tx, pc_req *rq, const json_t *user,
                                    pc_link_spec *spec, char **token);
/** Reply to a link token that is unknown, used, expired or revoked (400 AUT-0014), or the store error. */
void pc_api_links_bad_token(pc_req *rq, pc_status rc);
#endif
