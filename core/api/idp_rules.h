/* SPDX-License-Identifier: Apache-2.0 */
/* What an identity provider's body must be, and who may write one (API.md §14, the two questions). */
#ifndef PC_API_IDP_RULES_H
#define PC_API_IDP_RULES_H
#include "api/api.h"

/**
 * Check the members of an identity provider as it will be stored (`rec`,
 * with a plain `config`): name, display_name, link_by_email, default_roles
 * and config.group_roles naming existing roles, and the plugin's own
 * check_config(). Replies 400 AUT-0009 naming the field and returns 0 if bad.
 */
int pc_api_idp_valid(pc_req *rq, const pc_idp_ops *ops, void *state, const json_t *rec);
/**
 * May the caller write or remove this provider? Whoever configures it hands
 * out its default_roles and group_roles at every sign-in, so the caller must
 * be able to grant them; link_by_email "verified" and trust_mfa let the
 * upstream sign in as existing users, so they need users:impersonate.
 * Returns 1, or 0 after replying 403 (503 on a store failure).
 */
int pc_api_may_touch_idp(pc_req *rq, const pc_principal *p, const json_t *rec);
/**
 * May the caller change the provider `stored` into `rec` (plain config)? A
 * change of what decides who a subject is (issuer, client_id, endpoints, the
 * directory, the subject mapping: any config member but secrets, roles and
 * tuning) while identities are linked through it would let the new upstream
 * sign in as those users, so it needs users:impersonate.
 * Returns 1, or 0 after replying 403 (503 on a store failure).
 */
int pc_api_may_redefine_idp(pc_req *rq, const pc_principal *p, const json_t *stored,
                            const json_t *rec);
#endif
