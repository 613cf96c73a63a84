/* SPDX-License-Identifier: Apache-2.0 */
/* What the organization endpoints share (API.md §18): loading one, and the second question. */
#ifndef PC_API_ORGS_API_H
#define PC_API_ORGS_API_H
#include "api/api.h"

/** The organization named by the path's :id (new), or NULL after replying 404. */
json_t *pc_api_org_load(pc_req *rq);
/**
 * May the caller act on THIS organization? A token scoped to another organization
 * needs organizations:`action` tenant-wide; one scoped to it (or none) may. Replies
 * 403 AUT-0008 (or 503) and returns 0 when not.
 */
int pc_api_may_touch_org(pc_req *rq, const pc_principal *p, const json_t *org, const char *action);
/**
 * Does the caller see every organization? A token scoped to one organization, without
 * organizations:read tenant-wide, sees that one only (0). -1 after replying 503.
 */
int pc_api_orgs_sees_all(pc_req *rq, const pc_principal *p);
/**
 * May the caller grant every permission of these roles (ids) in this organization?
 * Counted in the caller's own scope when it is this organization. 403/503 as above.
 */
int pc_api_may_grant_org_roles(pc_req *rq, const pc_principal *p, const json_t *org,
                               const json_t *role_ids);
/**
 * Registration with an organization (API.md §18): is the body's "organization"
 * ({"slug","name"}) allowed by the tenant setting organization_registration and
 * valid? 1 if so or if there is none; otherwise replies 400 naming the field.
 */
int pc_api_org_register_check(pc_req *rq, const json_t *org);
/**
 * In `tx`, create that organization with the new user `user_id` as its first member,
 * holding the roles named by the tenant setting organization_owner_roles; audited.
 * *conflict names a taken slug.
 */
pc_status pc_api_org_register_create(pc_store_tx *tx, pc_req *rq, const pc_principal *self,
                                     const char *user_id, const json_t *org, char *conflict,
                                     size_t len);
#endif
