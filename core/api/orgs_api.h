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
 * May the caller grant every permission of these roles (ids) in this organization?
 * Counted in the caller's own scope when it is this organization. 403/503 as above.
 */
int pc_api_may_grant_org_roles(pc_req *rq, const pc_principal *p, const json_t *org,
                               const json_t *role_ids);
#endif
