/* SPDX-License-Identifier: Apache-2.0 */
/* /groups: users grouped to share roles. */
#include "api/escalation.h"
#include "api/resource.h"
#include "api/safety.h"
#include "api/users.h"
#include "iam/links.h"
#include "server/store.h"
#include "util/crypto.h"

#include <string.h>

/* The API view of a group (new), or NULL when the store cannot tell its roles or members. */
static json_t *group_view(const json_t *g, void *tenant_id)
{
    const char *id = json_string_value(json_object_get(g, "id"));
    json_t *roles = NULL, *members = NULL;

    if (pc_iam_group_role_names_get(tenant_id, id, &roles) != PC_OK ||
        PC_DB->link_list(PC_DBS, NULL, PC_LINK_GROUP_MEMBER, tenant_id, id, 0, &members) != PC_OK) {
        json_decref(roles);
        json_decref(members);
        return NULL;
    }
    return json_pack("{s:O,s:O,s:O,s:o,s:o,s:o,s:o}", "id", json_object_get(g, "id"), "name",
                     json_object_get(g, "name"), "description", json_object_get(g, "description"),
                     "roles", roles, "members", members, "created_at",
                     pc_api_time(json_object_get(g, "created_at")), "updated_at",
                     pc_api_time(json_object_get(g, "updated_at")));
}

static const pc_field group_fields[] = {{"name", PC_F_STRING, 1},
                                        {"description", PC_F_NULLABLE_STRING, 0},
                                        {"roles", PC_F_STRINGS, 0},
                                        {"members", PC_F_STRINGS, 0}};
#define NFIELDS (sizeof group_fields / sizeof *group_fields)

/*
 * Run one link setter; its unknown names join `unknown` so that a reply names
 * every bad role and user at once. Returns the store status (PC_OK when only
 * names were unknown).
 */
static pc_status collect(pc_status rc, json_t *found, json_t *unknown)
{
    if (found != NULL)
        json_object_update(unknown, found);
    json_decref(found);
    return rc == PC_ERR_INVALID ? PC_OK : rc;
}

static pc_status save_group(pc_req *rq, const pc_principal *p, const json_t *rec,
                            const json_t *body, int create, char *conflict, json_t *unknown)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    json_t *cols = json_pack("{s:O,s:O?,s:O}", "name", json_object_get(rec, "name"), "description",
                             json_object_get(rec, "description"), "updated_at",
                             json_object_get(rec, "updated_at"));
    json_t *found = NULL;
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = create ? pc_db_insert(tx, PC_ENT_GROUP, rec, conflict, 64)
                    : pc_db_update(tx, PC_ENT_GROUP, rq->tenant->id, id, cols, conflict, 64);
    /* The setter fills `found`, so it runs before collect() reads it. */
    if (rc == PC_OK && json_object_get(body, "roles")) {
        rc = pc_iam_set_group_roles(tx, rq->tenant->id, id, json_object_get(body, "roles"), &found);
        rc = collect(rc, found, unknown);
        found = NULL;
    }
    if (rc == PC_OK && json_object_get(body, "members")) {
        rc = pc_iam_set_group_members(tx, rq->tenant->id, id, json_object_get(body, "members"),
                                      &found);
        rc = collect(rc, found, unknown);
    }
    if (rc == PC_OK && json_object_size(unknown) > 0)
        rc = PC_ERR_INVALID;
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, create ? "group.created" : "group.updated", id,
                          json_pack("{s:O}", "name", json_object_get(rec, "name")));
    rc = pc_api_keep_superuser(tx, rq, rc, conflict, 64);
    json_decref(cols);
    return pc_api_finish(tx, rc);
}

static void reply_saved(pc_req *rq, pc_status rc, const char *conflict, json_t *unknown,
                        const json_t *rec, unsigned status)
{
    if (rc == PC_ERR_INVALID && json_object_size(unknown) > 0)
        pc_api_error(rq, PC_API_INVALID, "Unknown role names or user ids", json_incref(unknown));
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_api_reply_view(rq, status, group_view(rec, rq->tenant->id));
}

void pc_api_groups_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *unknown = json_object();
    char id[37], conflict[64] = "";
    json_int_t now = pc_now();

    if (!pc_api_require(rq, &p, "groups", "create") ||
        (body = pc_api_body(rq, group_fields, NFIELDS)) == NULL ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")))
        goto out;
    if (*json_string_value(json_object_get(body, "name")) == '\0') {
        pc_api_invalid_field(rq, "name", "must not be empty");
        goto out;
    }
    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:O,s:O?,s:I,s:I}", "id", id, "tenant_id", rq->tenant->id, "name",
                    json_object_get(body, "name"), "description",
                    json_object_get(body, "description"), "created_at", now, "updated_at", now);
    reply_saved(rq, save_group(rq, &p, rec, body, 1, conflict, unknown), conflict, unknown, rec,
                201);
out:
    json_decref(unknown);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_groups_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *g = NULL, *unknown = json_object();
    char conflict[64] = "";

    if (!pc_api_require(rq, &p, "groups", "update") ||
        (body = pc_api_body_patch(rq, group_fields, NFIELDS)) == NULL ||
        (g = pc_api_load(rq, PC_ENT_GROUP)) == NULL ||
        /* Members gain the group's roles: the caller must hold what they grant. */
        !pc_api_may_grant_group(rq, &p, json_string_value(json_object_get(g, "id"))) ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")))
        goto out;
    if (json_object_get(body, "name"))
        json_object_set(g, "name", json_object_get(body, "name"));
    if (json_object_get(body, "description"))
        json_object_set(g, "description", json_object_get(body, "description"));
    json_object_set_new(g, "updated_at", json_integer(pc_now()));
    reply_saved(rq, save_group(rq, &p, g, body, 0, conflict, unknown), conflict, unknown, g, 200);
out:
    json_decref(unknown);
    json_decref(g);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_groups_list(pc_req *rq)
{
    pc_api_list(rq, PC_ENT_GROUP, "groups", group_view);
}

void pc_api_groups_get(pc_req *rq)
{
    pc_api_get_one(rq, PC_ENT_GROUP, "groups", group_view);
}

void pc_api_groups_delete(pc_req *rq)
{
    pc_api_delete_one(rq, PC_ENT_GROUP, "groups", "group.deleted");
}
