/* SPDX-License-Identifier: Apache-2.0 */
/* /roles: named sets of resource:action permissions. */
#include "api/escalation.h"
#include "api/resource.h"
#include "api/safety.h"
#include "iam/superuser.h"
#include "api/users.h"
#include "iam/links.h"
#include "server/store.h"
#include "util/json.h"
#include "util/crypto.h"

#include <string.h>

static json_t *role_view(const json_t *r, void *tenant_id)
{
    (void)tenant_id;
    return json_pack("{s:O,s:O,s:O,s:O,s:o,s:o}", "id", json_object_get(r, "id"), "name",
                     json_object_get(r, "name"), "description", json_object_get(r, "description"),
                     "permissions", json_object_get(r, "permissions"), "created_at",
                     pc_api_time(json_object_get(r, "created_at")), "updated_at",
                     pc_api_time(json_object_get(r, "updated_at")));
}

static const pc_field role_fields[] = {{"name", PC_F_STRING, 1},
                                       {"description", PC_F_NULLABLE_STRING, 0},
                                       {"permissions", PC_F_STRINGS, 0}};
#define NFIELDS (sizeof role_fields / sizeof *role_fields)

/* Value checks: a name, well-formed permissions, the tenant's limits. */
static int valid_role(pc_req *rq, const json_t *body)
{
    const char *name = json_string_value(json_object_get(body, "name"));
    const json_t *perms = json_object_get(body, "permissions");

    if (name != NULL && (*name == '\0' || strlen(name) > 128)) {
        pc_api_invalid_field(rq, "name", "must be 1 to 128 characters");
        return 0;
    }
    if (perms != NULL && (int64_t)json_array_size(perms) > rq->tenant->max_permissions_per_role) {
        pc_api_error(rq, PC_API_LIMIT, "Too many permissions in one role",
                     json_pack("{s:s}", "permissions", "limit exceeded"));
        return 0;
    }
    return perms == NULL || pc_api_valid_permissions(rq, perms);
}

static int tenant_has_room(pc_req *rq)
{
    pc_store_query q = {.limit = (unsigned)rq->tenant->max_roles};
    json_t *rows = NULL;
    pc_status rc = pc_db_list(NULL, PC_ENT_ROLE, rq->tenant->id, &q, &rows);
    int room = rc == PC_OK && (int64_t)json_array_size(rows) < rq->tenant->max_roles;

    json_decref(rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL); /* a store that cannot count is not a full tenant */
    else if (!room)
        pc_api_error(rq, PC_API_LIMIT, "The tenant has as many roles as it may hold", NULL);
    return room;
}

static pc_status save_role(pc_req *rq, const pc_principal *p, const json_t *rec, int create,
                           const json_t *cols, char *conflict)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = create ? pc_db_insert(tx, PC_ENT_ROLE, rec, conflict, 64)
                    : pc_db_update(tx, PC_ENT_ROLE, rq->tenant->id, id, cols, conflict, 64);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, create ? "role.created" : "role.updated", id,
                          json_pack("{s:O}", "name", json_object_get(rec, "name")));
    rc = pc_api_keep_superuser(tx, rq, rc, conflict, 64);
    return pc_api_finish(tx, rc);
}

void pc_api_roles_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL;
    char id[37], conflict[64] = "";
    json_int_t now = pc_now();
    pc_status rc;

    if (!pc_api_require(rq, &p, "roles", "create") ||
        (body = pc_api_body(rq, role_fields, NFIELDS)) == NULL || !valid_role(rq, body) ||
        !pc_api_may_grant_permissions(rq, &p, json_object_get(body, "permissions")) ||
        !tenant_has_room(rq))
        goto out;
    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:O,s:O?,s:O,s:I,s:I}", "id", id, "tenant_id", rq->tenant->id, "name",
                    json_object_get(body, "name"), "description",
                    json_object_get(body, "description"), "permissions",
                    json_object_get(body, "permissions") ? json_object_get(body, "permissions")
                                                         : json_array(),
                    "created_at", now, "updated_at", now);
    rc = save_role(rq, &p, rec, 1, NULL, conflict);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, 201, role_view(rec, NULL));
out:
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

/* API.md §11: the admin role keeps its name and always holds *:* (409 AUT-0011). */
static int admin_role_kept(pc_req *rq, const json_t *role, const json_t *body)
{
    const char *name = json_string_value(json_object_get(body, "name"));
    const json_t *perms = json_object_get(body, "permissions");

    if (!pc_api_is_admin_role(role) || ((name == NULL || strcmp(name, PC_IAM_ADMIN_ROLE) == 0) &&
                                        (perms == NULL || pc_json_has_string(perms, "*:*"))))
        return 1;
    pc_api_error(rq, PC_API_CONFLICT, "The admin role keeps its name and always holds *:*", NULL);
    return 0;
}

void pc_api_roles_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *r = NULL, *cols = NULL;
    char conflict[64] = "";
    pc_status rc;

    if (!pc_api_require(rq, &p, "roles", "update") ||
        (body = pc_api_body_patch(rq, role_fields, NFIELDS)) == NULL || !valid_role(rq, body) ||
        (r = pc_api_load(rq, PC_ENT_ROLE)) == NULL ||
        /* Only a caller holding what a role grants, before and after, may change it. */
        !pc_api_may_grant_permissions(rq, &p, json_object_get(r, "permissions")) ||
        !pc_api_may_grant_permissions(rq, &p, json_object_get(body, "permissions")) ||
        !admin_role_kept(rq, r, body))
        goto out;
    cols = json_deep_copy(body);
    json_object_set_new(cols, "updated_at", json_integer(pc_now()));
    json_object_update(r, cols);
    rc = save_role(rq, &p, r, 0, cols, conflict);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, 200, role_view(r, NULL));
out:
    json_decref(cols);
    json_decref(r);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_roles_list(pc_req *rq)
{
    pc_api_list(rq, PC_ENT_ROLE, "roles", role_view);
}

void pc_api_roles_get(pc_req *rq)
{
    pc_api_get_one(rq, PC_ENT_ROLE, "roles", role_view);
}

void pc_api_roles_delete(pc_req *rq)
{
    pc_api_delete_one(rq, PC_ENT_ROLE, "roles", "role.deleted");
}
