/* SPDX-License-Identifier: Apache-2.0 */
/* Organizations inside a tenant (API.md §18): lookups, memberships, their permissions, and cutting a removed member. */
#include "iam/orgs.h"
#include "server/store.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

int pc_org_slug_valid(const char *slug)
{
    return pc_tenant_slug_valid(slug);
}

#define MAX_NAME 200
#define MAX_URL 2048

/* An absolute https:// URL with a host and no spaces or control characters. */
static int https_url(const char *u)
{
    if (strncmp(u, "https://", 8) != 0 || strlen(u) > MAX_URL || u[8] == '\0' || u[8] == '/')
        return 0;
    for (const char *c = u; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return 0;
    return 1;
}

const char *pc_org_fields_problem(const json_t *body, const char **field)
{
    const json_t *slug = json_object_get(body, "slug"), *name = json_object_get(body, "name");
    const json_t *logo = json_object_get(body, "logo_url");

    *field = "slug";
    if (slug != NULL && (!pc_org_slug_valid(json_string_value(slug)) ||
                         strlen(json_string_value(slug)) != json_string_length(slug)))
        return "must match ^[a-z0-9][a-z0-9-]{0,62}$";
    *field = "name";
    if (name != NULL && (!json_is_string(name) || json_string_length(name) == 0 ||
                         json_string_length(name) > MAX_NAME ||
                         strlen(json_string_value(name)) != json_string_length(name)))
        return "must be 1 to 200 characters";
    *field = "logo_url";
    if (logo != NULL && !json_is_null(logo) &&
        (!json_is_string(logo) || strlen(json_string_value(logo)) != json_string_length(logo) ||
         !https_url(json_string_value(logo))))
        return "must be an absolute https:// URL";
    *field = NULL;
    return NULL;
}

static int looks_like_uuid(const char *s)
{
    return strlen(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';
}

pc_status pc_org_find(const char *tenant_id, const char *ref, json_t **org)
{
    pc_status rc = PC_ERR_NOT_FOUND;

    *org = NULL;
    if (ref == NULL || *ref == '\0' || strlen(ref) > 64)
        return PC_ERR_NOT_FOUND;
    if (looks_like_uuid(ref))
        rc = pc_db_get(NULL, PC_ENT_ORGANIZATION, tenant_id, "id", ref, org);
    if (rc == PC_ERR_NOT_FOUND && pc_org_slug_valid(ref))
        rc = pc_db_get(NULL, PC_ENT_ORGANIZATION, tenant_id, "slug", ref, org);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
}

pc_status pc_org_membership(pc_store_tx *tx, const char *tenant_id, const char *org_id,
                            const char *user_id, json_t **m)
{
    json_t *filters = json_pack("{s:s,s:s}", "organization_id", org_id, "user_id", user_id);
    pc_store_query q = {.filters = filters, .limit = 1};
    json_t *rows = NULL;
    pc_status rc = pc_db_list(tx, PC_ENT_MEMBERSHIP, tenant_id, &q, &rows);

    json_decref(filters);
    if (rc == PC_OK && json_array_size(rows) == 0)
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK && m != NULL)
        *m = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
}

pc_status pc_org_of_user(const char *tenant_id, const char *user_id, json_t **items)
{
    json_t *filters = json_pack("{s:s}", "user_id", user_id), *rows = NULL, *m, *org;
    pc_store_query q = {.filters = filters, .limit = PC_ORG_MAX_PER_USER};
    pc_status rc = pc_db_list(NULL, PC_ENT_MEMBERSHIP, tenant_id, &q, &rows);
    size_t i;

    json_decref(filters);
    *items = json_array();
    json_array_foreach (rows, i, m) {
        org = NULL;
        if (rc == PC_OK)
            rc = pc_db_get(NULL, PC_ENT_ORGANIZATION, tenant_id, "id",
                           json_string_value(json_object_get(m, "organization_id")), &org);
        if (rc == PC_ERR_NOT_FOUND) /* removed meanwhile */
            rc = PC_OK;
        else if (rc == PC_OK)
            json_array_append_new(*items,
                                  json_pack("{s:O,s:O,s:O}", "id", json_object_get(org, "id"),
                                            "slug", json_object_get(org, "slug"), "name",
                                            json_object_get(org, "name")));
        json_decref(org);
    }
    json_decref(rows);
    if (rc != PC_OK) {
        json_decref(*items);
        *items = NULL;
        return PC_ERR_STORAGE;
    }
    return PC_OK;
}

pc_status pc_org_member_permissions(const char *tenant_id, const char *org_id, const char *user_id,
                                    json_t **perms)
{
    json_t *m = NULL, *role, *id;
    pc_status rc = pc_org_membership(NULL, tenant_id, org_id, user_id, &m);
    size_t i;

    *perms = json_array();
    if (rc == PC_ERR_NOT_FOUND)
        return PC_OK;
    json_array_foreach (json_object_get(m, "roles"), i, id) {
        role = NULL;
        if (rc == PC_OK)
            rc = pc_db_get(NULL, PC_ENT_ROLE, tenant_id, "id", json_string_value(id), &role);
        if (rc == PC_ERR_NOT_FOUND) /* a deleted role grants nothing */
            rc = PC_OK;
        else if (rc == PC_OK)
            json_array_extend(*perms, json_object_get(role, "permissions"));
        json_decref(role);
    }
    json_decref(m);
    if (rc != PC_OK) {
        json_decref(*perms);
        *perms = NULL;
        return PC_ERR_STORAGE;
    }
    return PC_OK;
}

pc_status pc_org_role_ids(const char *tenant_id, const json_t *names, json_t **ids,
                          json_t **unknown)
{
    json_t *role, *name;
    size_t i;
    pc_status rc = PC_OK;
    char field[32];

    *ids = json_array();
    *unknown = json_object();
    json_array_foreach (names, i, name) {
        role = NULL;
        rc = pc_db_get(NULL, PC_ENT_ROLE, tenant_id, "name", json_string_value(name), &role);
        if (rc == PC_OK &&
            !pc_json_has_string(*ids, json_string_value(json_object_get(role, "id"))))
            json_array_append(*ids, json_object_get(role, "id"));
        json_decref(role);
        if (rc == PC_ERR_NOT_FOUND) {
            snprintf(field, sizeof field, "roles[%zu]", i);
            json_object_set_new(*unknown, field, json_string("unknown role"));
            rc = PC_OK;
        }
        if (rc != PC_OK)
            break;
    }
    return rc;
}

pc_status pc_org_role_names_get(const char *tenant_id, const json_t *ids, json_t **names)
{
    json_t *id, *role;
    size_t i;
    pc_status rc = PC_OK;

    *names = json_array();
    json_array_foreach (ids, i, id) {
        role = NULL;
        rc = pc_db_get(NULL, PC_ENT_ROLE, tenant_id, "id", json_string_value(id), &role);
        if (rc == PC_OK)
            json_array_append(*names, json_object_get(role, "name"));
        json_decref(role);
        if (rc == PC_ERR_NOT_FOUND)
            rc = PC_OK; /* removed meanwhile */
        if (rc != PC_OK)
            break;
    }
    if (rc != PC_OK)
        json_array_clear(*names);
    return rc == PC_OK ? PC_OK : PC_ERR_STORAGE;
}
