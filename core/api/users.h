/* SPDX-License-Identifier: Apache-2.0 */
/* What the user endpoints share: rendering a user and loading one by path id. */
#ifndef PC_API_USERS_H
#define PC_API_USERS_H
#include "api/api.h"

/** The API view of a user record (new): no hash, RFC 3339 times, groups and roles by name;
 * NULL when the store fails to tell any of them (reply 503, never a partial record). */
json_t *pc_api_user_view(const json_t *user, void *tenant_id);
/** A user's linked identities with RFC 3339 times (new array), or NULL when the store fails. */
json_t *pc_api_identities_view(const char *tenant_id, const char *user_id);
/** The user named by the path's :id in this tenant (new), or NULL after replying 404. */
json_t *pc_api_user_load(pc_req *rq);
/** A store transaction body writing an audit event beside a change. */
pc_status pc_api_audit(pc_store_tx *tx, pc_req *rq, const pc_principal *p, const char *type,
                       const char *subject, json_t *details);
/** Room for one more user under the tenant's max_users? Replies 400 AUT-0016 (or the store
 * error) and returns 0 when not. */
int pc_api_user_room(pc_req *rq);
/** Insert a user record (`rec`, complete) with the roles and groups `body` names, and audit
 * user.created, in `tx`. Unknown names: PC_ERR_INVALID with *unknown. */
pc_status pc_api_user_insert(pc_store_tx *tx, pc_req *rq, const pc_principal *p, const json_t *body,
                             const json_t *rec, char *conflict, json_t **unknown);
#endif
