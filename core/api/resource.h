/* SPDX-License-Identifier: Apache-2.0 */
/* What the named-resource endpoints (roles, groups) share: load, list, delete with audit. */
#ifndef PC_API_RESOURCE_H
#define PC_API_RESOURCE_H
#include "api/api.h"

typedef json_t *(*pc_api_render)(const json_t *row, void *tenant_id);

/** The record of entity `ent` named by the path's :id (new), or NULL after replying 404. */
json_t *pc_api_load(pc_req *rq, pc_entity ent);
/** GET a list of `ent` with ?limit=&cursor= (and ?q= when given), rendered. */
void pc_api_list(pc_req *rq, pc_entity ent, const char *resource, pc_api_render render);
/** GET one record of `ent`, rendered. */
void pc_api_get_one(pc_req *rq, pc_entity ent, const char *resource, pc_api_render render);
/** DELETE a record of `ent` with its links, audit `event`, and a permissions change; 204. */
void pc_api_delete_one(pc_req *rq, pc_entity ent, const char *resource, const char *event);
/** Is every permission well formed? Replies 400 naming the first bad one if not. */
int pc_api_valid_permissions(pc_req *rq, const json_t *perms);
#endif
