/* SPDX-License-Identifier: Apache-2.0 */
/* GET /permissions: every permission the management API checks, and every one a role names. */
#include "api/api.h"
#include "server/store.h"

#include <stdlib.h>
#include <string.h>

#define ROLE_PAGE 200

/* Resources with the four actions read, create, update, delete (API.md §3–§18). */
static const char *const crud_resources[] = {
    "applications",  "audit",    "groups",    "identity_providers",
    "organizations", "policies", "providers", "roles",
    "sessions",      "tenants",  "users",     "webhooks"};
static const char *const crud_actions[] = {"create", "delete", "read", "update"};
/* Single permissions beyond those. */
static const char *const others[] = {"applications:trust",  "permissions:check",
                                     "tenant:read",         "tenant:update",
                                     "tenants:impersonate", "users:impersonate"};

static int by_code_point(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every role's permissions into `set` (an object used as a set); PC_OK or the store error. */
static pc_status add_role_permissions(const char *tenant_id, json_t *set)
{
    pc_store_query q = {.limit = ROLE_PAGE};
    char after[40] = "";
    json_t *rows, *r, *v;
    size_t i, j, n;
    pc_status rc;

    do {
        rows = NULL;
        q.after = *after ? after : NULL;
        rc = pc_db_list(NULL, PC_ENT_ROLE, tenant_id, &q, &rows);
        n = json_array_size(rows);
        json_array_foreach (rows, i, r) {
            json_array_foreach (json_object_get(r, "permissions"), j, v)
                json_object_set_new(set, json_string_value(v), json_true());
            snprintf(after, sizeof after, "%s", json_string_value(json_object_get(r, "id")));
        }
        json_decref(rows);
    } while (rc == PC_OK && n == ROLE_PAGE);
    return rc;
}

static json_t *sorted(json_t *set)
{
    size_t n = json_object_size(set), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys), *k;
    json_t *v, *out = json_array();

    json_object_foreach (set, k, v)
        keys[i++] = k;
    qsort(keys, n, sizeof *keys, by_code_point);
    for (i = 0; i < n; i++)
        json_array_append_new(out, json_string(keys[i]));
    free(keys);
    return out;
}

void pc_api_permissions_catalog(pc_req *rq)
{
    pc_principal p = {0};
    json_t *set = json_object();
    char perm[64];
    pc_status rc;

    if (!pc_api_require(rq, &p, "roles", "read"))
        goto out;
    for (size_t i = 0; i < sizeof crud_resources / sizeof *crud_resources; i++)
        for (size_t j = 0; j < sizeof crud_actions / sizeof *crud_actions; j++) {
            snprintf(perm, sizeof perm, "%s:%s", crud_resources[i], crud_actions[j]);
            json_object_set_new(set, perm, json_true());
        }
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        json_object_set_new(set, others[i], json_true());
    rc = add_role_permissions(rq->tenant->id, set);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 200, json_pack("{s:o}", "permissions", sorted(set)));
out:
    json_decref(set);
    pc_principal_clear(&p);
}
