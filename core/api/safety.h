/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in safety in the API (API.md §11): the admin role stays, and so does one active *:* principal. */
#ifndef PC_API_SAFETY_H
#define PC_API_SAFETY_H
#include "api/api.h"

/** The conflict "column" that pc_api_store_error() answers with the safety message. */
#define PC_API_CONFLICT_SUPERUSER "*:*"

/**
 * After a change in `tx` (when rc is PC_OK): does an active principal still hold
 * "*:*"? PC_ERR_CONFLICT, with PC_API_CONFLICT_SUPERUSER in `conflict`, when none does.
 */
pc_status pc_api_keep_superuser(pc_store_tx *tx, pc_req *rq, pc_status rc, char *conflict,
                                size_t len);
/** Is this role record the tenant's built-in "admin" role? */
int pc_api_is_admin_role(const json_t *role);
/** pc_api_finish, then 204 or the store error naming `conflict`. */
void pc_api_finish_204_conflict(pc_req *rq, pc_store_tx *tx, pc_status rc, const char *conflict);
#endif
