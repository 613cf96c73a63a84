/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in safety (API.md §11): a tenant keeps an admin role with *:* and an active principal holding it. */
#include "iam/superuser.h"
#include "iam/users.h"
#include "server/store.h"

#include <string.h>

#define ROLE_PAGE 1000

/* Is principal `id` (a user or an application) active? */
static pc_status principal_active(pc_store_tx *tx, const char *tenant_id, const char *id,
                                  int64_t now, int *active)
{
    json_t *rec = NULL;
    pc_status rc = pc_db_get(tx, PC_ENT_USER, tenant_id, "id", id, &rec);

    if (rc == PC_OK)
        *active = pc_iam_user_active(rec, now);
    else if (rc == PC_ERR_NOT_FOUND)
        rc = pc_db_get(tx, PC_ENT_APPLICATION, tenant_id, "id", id, &rec);
    if (rc == PC_OK && json_object_get(rec, "client_id") != NULL)
        *active = 1;
    json_decref(rec);
    return rc == PC_ERR_NOT_FOUND ? PC_OK : rc;
}

/* Is any of these principals active? */
static pc_status any_active(pc_store_tx *tx, const char *tenant_id, const json_t *ids, int64_t now,
                            int *found)
{
    size_t i;
    json_t *v;
    pc_status rc = PC_OK;

    json_array_foreach (ids, i, v) {
        if (rc != PC_OK || *found)
            break;
        rc = principal_active(tx, tenant_id, json_string_value(v), now, found);
    }
    return rc;
}

/* Does an active principal hold role `role_id`, directly or as a member of a group holding it? */
static pc_status role_held(pc_store_tx *tx, const char *tenant_id, const char *role_id, int64_t now,
                           int *found)
{
    json_t *holders = NULL, *groups = NULL, *members, *g;
    size_t i;
    pc_status rc =
        PC_DB->link_list(PC_DBS, tx, PC_LINK_PRINCIPAL_ROLE, tenant_id, role_id, 1, &holders);

    if (rc == PC_OK)
        rc = any_active(tx, tenant_id, holders, now, found);
    if (rc == PC_OK && !*found)
        rc = PC_DB->link_list(PC_DBS, tx, PC_LINK_GROUP_ROLE, tenant_id, role_id, 1, &groups);
    json_array_foreach (groups, i, g) {
        if (rc != PC_OK || *found)
            break;
        members = NULL;
        rc = PC_DB->link_list(PC_DBS, tx, PC_LINK_GROUP_MEMBER, tenant_id, json_string_value(g), 0,
                              &members);
        if (rc == PC_OK)
            rc = any_active(tx, tenant_id, members, now, found);
        json_decref(members);
    }
    json_decref(holders);
    json_decref(groups);
    return rc;
}

static int grants_all(const json_t *role)
{
    size_t i;
    json_t *v;

    json_array_foreach (json_object_get(role, "permissions"), i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), "*:*") == 0)
            return 1;
    return 0;
}

pc_status pc_iam_superuser_remains(pc_store_tx *tx, const char *tenant_id, int64_t now)
{
    json_t *roles = NULL, *role;
    pc_store_query q = {.filters = NULL, .after = NULL, .limit = ROLE_PAGE, .descending = 0};
    size_t i;
    int found = 0;
    pc_status rc = pc_db_list(tx, PC_ENT_ROLE, tenant_id, &q, &roles);

    json_array_foreach (roles, i, role) {
        if (rc != PC_OK || found)
            break;
        if (grants_all(role))
            rc = role_held(tx, tenant_id, json_string_value(json_object_get(role, "id")), now,
                           &found);
    }
    json_decref(roles);
    if (rc != PC_OK)
        return rc == PC_ERR_NOT_FOUND ? PC_ERR_CONFLICT : PC_ERR_STORAGE;
    return found ? PC_OK : PC_ERR_CONFLICT;
}
