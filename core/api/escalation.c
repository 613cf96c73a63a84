/* SPDX-License-Identifier: Apache-2.0 */
/* No escalation: a caller grants only permissions it holds, and acts only on principals it outranks. */
#include "api/escalation.h"
#include "api/idp_rules.h"
#include "iam/outrank.h"
#include "iam/permcache.h"
#include "server/store.h"

#include <string.h>

/* Does the caller hold `perm` ("ledger:post", "ledger:*", "*:*") itself? 1, 0, or -1 when
 * the store cannot tell. */
static int holds(const pc_req *rq, const pc_principal *p, const char *perm)
{
    return pc_iam_holds(rq->tenant->id, p->id, perm);
}

static int refuse(pc_req *rq, const char *what)
{
    pc_api_error(rq, PC_API_FORBIDDEN, what, NULL);
    return 0;
}

/* A store that cannot answer is 503 (AUT-0020), never a refusal nor a permission. */
static int unavailable(pc_req *rq)
{
    pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
    return 0;
}

int pc_api_may_grant_permissions(pc_req *rq, const pc_principal *p, const json_t *perms)
{
    size_t i;
    json_t *v;
    int h;

    json_array_foreach (perms, i, v) {
        h = holds(rq, p, json_string_value(v));
        if (h < 0)
            return unavailable(rq);
        if (!h)
            return refuse(rq, "A permission cannot be granted by a caller who does not hold it");
    }
    return 1;
}

/* May the caller grant what the role with this id or name grants? An unknown role is left to
 * the caller's own validation; a store failure replies 503. */
static int may_grant_role(pc_req *rq, const pc_principal *p, const char *field, const char *value)
{
    json_t *role = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_ROLE, rq->tenant->id, field, value, &role);
    int ok;

    if (rc == PC_ERR_NOT_FOUND)
        return 1;
    if (rc != PC_OK)
        return unavailable(rq);
    ok = pc_api_may_grant_permissions(rq, p, json_object_get(role, "permissions"));
    json_decref(role);
    return ok;
}

int pc_api_may_grant_roles(pc_req *rq, const pc_principal *p, const json_t *role_names)
{
    size_t i;
    json_t *v;

    json_array_foreach (role_names, i, v)
        if (!may_grant_role(rq, p, "name", json_string_value(v)))
            return 0;
    return 1;
}

int pc_api_may_grant_group(pc_req *rq, const pc_principal *p, const char *group_id)
{
    json_t *role_ids = NULL, *v;
    size_t i;
    int ok = 1;

    if (PC_DB->link_list(PC_DBS, NULL, PC_LINK_GROUP_ROLE, rq->tenant->id, group_id, 0,
                         &role_ids) != PC_OK)
        return unavailable(rq);
    json_array_foreach (role_ids, i, v)
        if (ok)
            ok = may_grant_role(rq, p, "id", json_string_value(v));
    json_decref(role_ids);
    return ok;
}

int pc_api_may_grant_groups(pc_req *rq, const pc_principal *p, const json_t *group_names)
{
    size_t i;
    json_t *v, *group;
    int ok = 1;

    pc_status rc;

    json_array_foreach (group_names, i, v) {
        group = NULL;
        rc = pc_db_get(NULL, PC_ENT_GROUP, rq->tenant->id, "name", json_string_value(v), &group);
        if (rc == PC_OK)
            ok = pc_api_may_grant_group(rq, p, json_string_value(json_object_get(group, "id")));
        else if (rc != PC_ERR_NOT_FOUND) /* an unknown name is reported where it is set */
            ok = unavailable(rq);
        json_decref(group);
        if (!ok)
            return 0;
    }
    return 1;
}

int pc_api_may_act_on(pc_req *rq, const pc_principal *p, const char *target_id)
{
    int may = 0;

    if (pc_iam_outranks(rq->tenant->id, p->id, target_id, &may) != PC_OK)
        return unavailable(rq);
    if (!may)
        return refuse(rq, "The target holds permissions the caller does not");
    return 1;
}

int pc_api_may_touch(pc_req *rq, const pc_principal *p, pc_entity ent, const json_t *target)
{
    const char *id = json_string_value(json_object_get(target, "id"));

    switch (ent) {
    case PC_ENT_USER:
    case PC_ENT_APPLICATION: return pc_api_may_act_on(rq, p, id);
    case PC_ENT_ROLE:
        return pc_api_may_grant_permissions(rq, p, json_object_get(target, "permissions"));
    case PC_ENT_GROUP: return pc_api_may_grant_group(rq, p, id);
    case PC_ENT_POLICY: /* a policy reaches only actions its author holds (API.md §15) */
        return pc_api_may_grant_permissions(rq, p, json_object_get(target, "actions"));
    case PC_ENT_IDENTITY_PROVIDER: /* federation: it hands out roles at sign-in (API.md §14) */
        return pc_api_may_touch_idp(rq, p, target);
    default: return 1; /* providers and the like grant no permissions */
    }
}
