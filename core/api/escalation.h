/* SPDX-License-Identifier: Apache-2.0 */
/* No escalation: a caller grants only permissions it holds, and acts only on principals it outranks. */
#ifndef PC_API_ESCALATION_H
#define PC_API_ESCALATION_H
#include "api/api.h"

/*
 * Each returns 1 when allowed; otherwise replies 403 AUT-0008 and returns 0.
 * Without these, users:update would let a helpdesk account give itself the
 * admin role or reset the admin's password.
 */

/** May the caller put these "resource:action" permissions in a role? */
int pc_api_may_grant_permissions(pc_req *rq, const pc_principal *p, const json_t *perms);
/** May the caller give these roles (by name) to someone? */
int pc_api_may_grant_roles(pc_req *rq, const pc_principal *p, const json_t *role_names);
/** May the caller make someone a member of these groups (by name), gaining their roles? */
int pc_api_may_grant_groups(pc_req *rq, const pc_principal *p, const json_t *group_names);
/** May the caller change the membership of the group with this id? */
int pc_api_may_grant_group(pc_req *rq, const pc_principal *p, const char *group_id);
/** May the caller act on this user or application (change, reset, delete)? */
int pc_api_may_act_on(pc_req *rq, const pc_principal *p, const char *target_id);
/**
 * The one "may the caller act on this target" check of every management
 * operation that changes or removes something: a user or application only if
 * the caller holds every permission it holds; a role only if the caller holds
 * what it grants; a group only if the caller holds what its roles grant.
 */
int pc_api_may_touch(pc_req *rq, const pc_principal *p, pc_entity ent, const json_t *target);
#endif
