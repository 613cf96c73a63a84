/* SPDX-License-Identifier: Apache-2.0 */
/* One link at a time (API.md §11): a user's role, a group's member; 204. */
#include "api/escalation.h"
#include "api/resource.h"
#include "api/safety.h"
#include "api/users.h"
#include "iam/links.h"
#include "server/store.h"
#include "util/json.h"

#include <string.h>

/* The record of `ent` whose `field` is `value` (new), or NULL after replying (404 or 400). */
static json_t *find(pc_req *rq, pc_entity ent, const char *field, const char *value,
                    const char *body_field)
{
    json_t *rec = NULL;
    pc_status rc =
        value ? pc_db_get(NULL, ent, rq->tenant->id, field, value, &rec) : PC_ERR_NOT_FOUND;

    if (rc == PC_OK)
        return rec;
    if (rc == PC_ERR_NOT_FOUND && body_field != NULL)
        pc_api_error(rq, PC_API_INVALID, "Unknown name", json_pack("{s:s}", body_field, "unknown"));
    else
        pc_api_store_error(rq, rc, NULL);
    return NULL;
}

/* Does principal `a` have link `b` of `kind` now? */
static int linked(const pc_req *rq, pc_link kind, const char *a, const char *b)
{
    json_t *ids = NULL;
    int yes = PC_DB->link_list(PC_DBS, NULL, kind, rq->tenant->id, a, 0, &ids) == PC_OK &&
              pc_json_has_string(ids, b);

    json_decref(ids);
    return yes;
}

/* Add or remove link (a, b) with its audit event; removals keep an active *:* principal. */
static void change_link(pc_req *rq, const pc_principal *p, pc_link kind, const char *a,
                        const char *b, int add, const char *event, const char *subject,
                        json_t *details)
{
    pc_store_tx *tx = NULL;
    char conflict[64] = "";
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = add ? PC_DB->link_add(PC_DBS, tx, kind, rq->tenant->id, a, b)
                 : PC_DB->link_remove(PC_DBS, tx, kind, rq->tenant->id, a, b);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, event, subject, json_incref(details));
    if (!add)
        rc = pc_api_keep_superuser(tx, rq, rc, conflict, sizeof conflict);
    pc_api_finish_204_conflict(rq, tx, rc, conflict);
    json_decref(details);
}

static const pc_field role_fields[] = {{"role", PC_F_STRING, 1}};

/* Room for one more direct role (API.md §5 AUT-0016), unless it is held already. */
static int role_room(pc_req *rq, const char *user_id, const char *role_id)
{
    json_t *ids = NULL;
    pc_status rc =
        PC_DB->link_list(PC_DBS, NULL, PC_LINK_PRINCIPAL_ROLE, rq->tenant->id, user_id, 0, &ids);
    int ok = rc == PC_OK && (pc_json_has_string(ids, role_id) ||
                             (int64_t)json_array_size(ids) < rq->tenant->max_roles_per_user);

    json_decref(ids);
    if (rc != PC_OK)
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL); /* not "too many roles" */
    else if (!ok)
        pc_api_error(rq, PC_API_LIMIT, "Too many roles for one user",
                     json_pack("{s:s}", "role", "limit exceeded"));
    return ok;
}

void pc_api_users_role_add(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *u = NULL, *role = NULL, *names = NULL;
    const char *uid;

    if (!pc_api_require(rq, &p, "users", "update") ||
        (body = pc_api_body(rq, role_fields, 1)) == NULL || (u = pc_api_user_load(rq)) == NULL ||
        (role = find(rq, PC_ENT_ROLE, "name", json_string_value(json_object_get(body, "role")),
                     "role")) == NULL)
        goto out;
    uid = json_string_value(json_object_get(u, "id"));
    names = json_pack("[O]", json_object_get(role, "name"));
    if (pc_api_may_act_on(rq, &p, uid) && pc_api_may_grant_roles(rq, &p, names) &&
        role_room(rq, uid, json_string_value(json_object_get(role, "id"))))
        change_link(rq, &p, PC_LINK_PRINCIPAL_ROLE, uid,
                    json_string_value(json_object_get(role, "id")), 1, "user.role_added", uid,
                    json_pack("{s:O}", "role", json_object_get(role, "name")));
out:
    json_decref(names);
    json_decref(role);
    json_decref(u);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_users_role_remove(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL, *role = NULL, *names = NULL;
    const char *uid, *rid;

    if (!pc_api_require(rq, &p, "users", "update") || (u = pc_api_user_load(rq)) == NULL ||
        (role = find(rq, PC_ENT_ROLE, "name", pc_req_param(rq, "name"), NULL)) == NULL)
        goto out;
    uid = json_string_value(json_object_get(u, "id"));
    rid = json_string_value(json_object_get(role, "id"));
    names = json_pack("[O]", json_object_get(role, "name"));
    if (!linked(rq, PC_LINK_PRINCIPAL_ROLE, uid, rid))
        pc_api_error(rq, PC_API_NOT_FOUND, "The user does not hold this role", NULL);
    else if (pc_api_may_act_on(rq, &p, uid) && pc_api_may_grant_roles(rq, &p, names))
        change_link(rq, &p, PC_LINK_PRINCIPAL_ROLE, uid, rid, 0, "user.role_removed", uid,
                    json_pack("{s:O}", "role", json_object_get(role, "name")));
out:
    json_decref(names);
    json_decref(role);
    json_decref(u);
    pc_principal_clear(&p);
}

/* PUT (add) or DELETE (remove) /groups/{id}/members/{user_id}. */
static void member_change(pc_req *rq, int add)
{
    pc_principal p = {0};
    json_t *g = NULL, *u = NULL;
    const char *gid, *uid;

    if (!pc_api_require(rq, &p, "groups", "update") ||
        (g = pc_api_load(rq, PC_ENT_GROUP)) == NULL ||
        (u = find(rq, PC_ENT_USER, "id", pc_req_param(rq, "user_id"), NULL)) == NULL)
        goto out;
    gid = json_string_value(json_object_get(g, "id"));
    uid = json_string_value(json_object_get(u, "id"));
    if (!add && !linked(rq, PC_LINK_GROUP_MEMBER, gid, uid))
        pc_api_error(rq, PC_API_NOT_FOUND, "The user is not a member of this group", NULL);
    /* Membership grants the group's roles: the caller holds them and outranks the user. */
    else if (pc_api_may_grant_group(rq, &p, gid) && pc_api_may_act_on(rq, &p, uid))
        change_link(rq, &p, PC_LINK_GROUP_MEMBER, gid, uid, add,
                    add ? "group.member_added" : "group.member_removed", gid,
                    json_pack("{s:s}", "user_id", uid));
out:
    json_decref(u);
    json_decref(g);
    pc_principal_clear(&p);
}

void pc_api_groups_member_put(pc_req *rq)
{
    member_change(rq, 1);
}

void pc_api_groups_member_delete(pc_req *rq)
{
    member_change(rq, 0);
}
