/* SPDX-License-Identifier: Apache-2.0 */
/* What the named-resource endpoints (roles, groups) share: load, list, delete with audit. */
#include "api/resource.h"
#include "api/safety.h"
#include "api/escalation.h"
#include "api/users.h"
#include "iam/links.h"
#include "iam/permissions.h"
#include "server/store.h"

json_t *pc_api_load(pc_req *rq, pc_entity ent)
{
    json_t *r = NULL;
    pc_status rc = pc_db_get(NULL, ent, rq->tenant->id, "id", pc_req_param(rq, "id"), &r);

    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    return rc == PC_OK ? r : NULL;
}

void pc_api_list(pc_req *rq, pc_entity ent, const char *resource, pc_api_render render)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor, *q = pc_req_param(rq, "q");
    json_t *filters = NULL, *rows = NULL;
    pc_store_query sq;
    pc_status rc;

    if (!pc_api_require(rq, &p, resource, "read") || !pc_api_page(rq, &limit, &cursor))
        goto out;
    if (q != NULL && *q != '\0')
        filters = json_pack("{s:s}", "q", q);
    sq = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 0};
    rc = pc_db_list(NULL, ent, rq->tenant->id, &sq, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, render, rq->tenant->id);
out:
    json_decref(filters);
    pc_principal_clear(&p);
}

void pc_api_get_one(pc_req *rq, pc_entity ent, const char *resource, pc_api_render render)
{
    pc_principal p = {0};
    json_t *r = NULL;

    if (pc_api_require(rq, &p, resource, "read") && (r = pc_api_load(rq, ent)) != NULL)
        pc_api_reply_view(rq, 200, render(r, rq->tenant->id));
    json_decref(r);
    pc_principal_clear(&p);
}

void pc_api_delete_one(pc_req *rq, pc_entity ent, const char *resource, const char *event)
{
    pc_principal p = {0};
    json_t *r = NULL;
    const char *id;
    pc_store_tx *tx = NULL;
    pc_status rc;

    char conflict[64] = "";

    if (!pc_api_require(rq, &p, resource, "delete") || (r = pc_api_load(rq, ent)) == NULL ||
        !pc_api_may_touch(rq, &p, ent, r))
        goto out;
    if (ent == PC_ENT_ROLE && pc_api_is_admin_role(r)) {
        pc_api_error(rq, PC_API_CONFLICT, "The admin role cannot be deleted", NULL);
        goto out;
    }
    id = json_string_value(json_object_get(r, "id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_remove(tx, ent, rq->tenant->id, id);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, event, id,
                          json_pack("{s:O}", "name", json_object_get(r, "name")));
    rc = pc_api_keep_superuser(tx, rq, rc, conflict, sizeof conflict);
    pc_api_finish_204_conflict(rq, tx, rc, conflict);
out:
    json_decref(r);
    pc_principal_clear(&p);
}

int pc_api_valid_permissions(pc_req *rq, const json_t *perms)
{
    size_t i;
    json_t *v;

    json_array_foreach (perms, i, v) {
        if (!pc_perm_valid(json_string_value(v))) {
            pc_api_error(rq, PC_API_INVALID, "Permissions are resource:action",
                         json_pack("{s:s}", "permissions", json_string_value(v)));
            return 0;
        }
    }
    return 1;
}
