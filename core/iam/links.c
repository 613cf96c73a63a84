/* SPDX-License-Identifier: Apache-2.0 */
/* Roles and groups referred to by name: resolving names, setting and reading a principal's links. */
#include "iam/links.h"
#include "oauth2/changes.h"
#include "server/store.h"

#include <stddef.h>

/* Ids of the records of entity `ent` whose `field` (name or id) is in `names`; unknowns collected. */
static pc_status resolve_by(pc_store_tx *tx, pc_entity ent, const char *field,
                            const char *tenant_id, const json_t *names, json_t **ids,
                            json_t **unknown)
{
    size_t i;
    json_t *name, *rec;

    *ids = json_array();
    *unknown = json_object();
    json_array_foreach (names, i, name) {
        rec = NULL;
        if (pc_db_get(tx, ent, tenant_id, field, json_string_value(name), &rec) == PC_OK)
            json_array_append(*ids, json_object_get(rec, "id"));
        else
            json_object_set_new(*unknown, json_string_value(name), json_string("unknown"));
        json_decref(rec);
    }
    if (json_object_size(*unknown) == 0) {
        json_decref(*unknown);
        *unknown = NULL;
        return PC_OK;
    }
    json_decref(*ids);
    *ids = NULL;
    return PC_ERR_INVALID;
}

static pc_status resolve(pc_store_tx *tx, pc_entity ent, const char *tenant_id, const json_t *names,
                         json_t **ids, json_t **unknown)
{
    return resolve_by(tx, ent, "name", tenant_id, names, ids, unknown);
}

/* Make `owner` linked to exactly the records of `ent` named (by `field`) in `names`. */
static pc_status set_links_by(pc_store_tx *tx, pc_link kind, pc_entity ent, const char *field,
                              const char *tenant_id, const char *owner, int owner_is_a,
                              const json_t *names, json_t **unknown)
{
    json_t *ids = NULL, *id;
    size_t i;
    pc_status rc = resolve_by(tx, ent, field, tenant_id, names, &ids, unknown);

    if (rc != PC_OK)
        return rc;
    if (owner_is_a)
        rc = PC_DB->link_remove(PC_DBS, tx, kind, tenant_id, owner, NULL);
    json_array_foreach (ids, i, id) {
        if (rc != PC_OK)
            break;
        rc = owner_is_a
                 ? PC_DB->link_add(PC_DBS, tx, kind, tenant_id, owner, json_string_value(id))
                 : PC_DB->link_add(PC_DBS, tx, kind, tenant_id, json_string_value(id), owner);
    }
    json_decref(ids);
    return rc;
}

static pc_status set_links(pc_store_tx *tx, pc_link kind, pc_entity ent, const char *tenant_id,
                           const char *owner, int owner_is_a, const json_t *names, json_t **unknown)
{
    return set_links_by(tx, kind, ent, "name", tenant_id, owner, owner_is_a, names, unknown);
}

pc_status pc_iam_permissions_changed(pc_store_tx *tx, const char *tenant_id)
{
    /* Every node drops the tenant's compiled sets when this entry commits. */
    return pc_change_write(tx, tenant_id, "perm", tenant_id, pc_now() + 3600);
}

pc_status pc_iam_set_roles(pc_store_tx *tx, const char *tenant_id, const char *principal_id,
                           const json_t *names, json_t **unknown)
{
    pc_status rc = set_links(tx, PC_LINK_PRINCIPAL_ROLE, PC_ENT_ROLE, tenant_id, principal_id, 1,
                             names, unknown);

    return rc == PC_OK ? pc_iam_permissions_changed(tx, tenant_id) : rc;
}

static pc_status leave_all_groups(pc_store_tx *tx, const char *tenant_id, const char *user_id)
{
    json_t *groups = NULL, *g;
    size_t i;
    pc_status rc =
        PC_DB->link_list(PC_DBS, tx, PC_LINK_GROUP_MEMBER, tenant_id, user_id, 1, &groups);

    json_array_foreach (groups, i, g) {
        if (rc == PC_OK)
            rc = PC_DB->link_remove(PC_DBS, tx, PC_LINK_GROUP_MEMBER, tenant_id,
                                    json_string_value(g), user_id);
    }
    json_decref(groups);
    return rc;
}

pc_status pc_iam_set_groups(pc_store_tx *tx, const char *tenant_id, const char *user_id,
                            const json_t *names, json_t **unknown)
{
    json_t *ids = NULL;
    pc_status rc = resolve(tx, PC_ENT_GROUP, tenant_id, names, &ids, unknown);

    json_decref(ids);
    if (rc == PC_OK)
        rc = leave_all_groups(tx, tenant_id, user_id);
    if (rc == PC_OK)
        rc = set_links(tx, PC_LINK_GROUP_MEMBER, PC_ENT_GROUP, tenant_id, user_id, 0, names,
                       unknown);
    return rc == PC_OK ? pc_iam_permissions_changed(tx, tenant_id) : rc;
}

pc_status pc_iam_set_group_roles(pc_store_tx *tx, const char *tenant_id, const char *group_id,
                                 const json_t *names, json_t **unknown)
{
    return set_links(tx, PC_LINK_GROUP_ROLE, PC_ENT_ROLE, tenant_id, group_id, 1, names, unknown);
}

pc_status pc_iam_set_group_members(pc_store_tx *tx, const char *tenant_id, const char *group_id,
                                   const json_t *user_ids, json_t **unknown)
{
    return set_links_by(tx, PC_LINK_GROUP_MEMBER, PC_ENT_USER, "id", tenant_id, group_id, 1,
                        user_ids, unknown);
}

/* The names of what `id` is linked to; PC_ERR_STORAGE rather than a partial list. */
static pc_status names_get(pc_store_tx *tx, pc_link kind, pc_entity ent, const char *tenant_id,
                           const char *id, int reverse, json_t **out)
{
    json_t *ids = NULL, *v, *rec;
    size_t i;
    pc_status rc = PC_DB->link_list(PC_DBS, tx, kind, tenant_id, id, reverse, &ids);

    *out = json_array();
    json_array_foreach (ids, i, v) {
        if (rc != PC_OK)
            break;
        rec = NULL;
        rc = pc_db_get(tx, ent, tenant_id, "id", json_string_value(v), &rec);
        if (rc == PC_OK)
            json_array_append(*out, json_object_get(rec, "name"));
        else if (rc == PC_ERR_NOT_FOUND)
            rc = PC_OK; /* removed meanwhile */
        json_decref(rec);
    }
    json_decref(ids);
    return rc == PC_OK ? PC_OK : PC_ERR_STORAGE;
}

/* ---- names for a page of users (issue 20) ---- */
#define PAGE_IDS 128

/* id -> name of the records of `ent` whose ids are the distinct values of `links`' arrays. */
static pc_status names_by_id(pc_entity ent, const char *tenant_id, const json_t *links,
                             json_t *names)
{
    json_t *all = json_array(), *ids, *v, *rows = NULL;
    const char *key;
    size_t i, at;
    pc_status rc = PC_OK;

    json_object_foreach ((json_t *)links, key, ids) {
        json_array_foreach (ids, i, v) {
            if (json_object_get(names, json_string_value(v)) == NULL) {
                json_object_set_new(names, json_string_value(v), json_null());
                json_array_append(all, v);
            }
        }
    }
    for (at = 0; rc == PC_OK && at < json_array_size(all); at += PAGE_IDS) {
        json_t *chunk = json_array(), *filters;
        for (i = at; i < at + PAGE_IDS && i < json_array_size(all); i++)
            json_array_append(chunk, json_array_get(all, i));
        filters = json_pack("{s:o}", "id", chunk);
        rc = pc_db_list(NULL, ent, tenant_id,
                        &(pc_store_query){.filters = filters, .limit = PAGE_IDS}, &rows);
        json_array_foreach (rows, i, v)
            json_object_set(names, json_string_value(json_object_get(v, "id")),
                            json_object_get(v, "name"));
        json_decref(rows);
        json_decref(filters);
        rows = NULL;
    }
    json_decref(all);
    return rc;
}

pc_status pc_iam_page_names(const char *tenant_id, const json_t *ids, int roles, json_t **out)
{
    json_t *links = NULL, *names = json_object(), *linked, *v;
    const char *key;
    size_t i;
    pc_status rc = PC_ERR_INTERNAL;

    *out = NULL;
    if (PC_DB->base.struct_size >=
            offsetof(pc_storage_ops, link_list_many) + sizeof PC_DB->link_list_many &&
        PC_DB->link_list_many != NULL)
        rc = PC_DB->link_list_many(PC_DBS, NULL,
                                   roles ? PC_LINK_PRINCIPAL_ROLE : PC_LINK_GROUP_MEMBER, tenant_id,
                                   ids, !roles, &links);
    if (rc == PC_OK)
        rc = names_by_id(roles ? PC_ENT_ROLE : PC_ENT_GROUP, tenant_id, links, names);
    if (rc == PC_OK) {
        *out = json_object();
        json_object_foreach (links, key, linked) {
            json_t *list = json_array();
            json_array_foreach (linked, i, v) /* a null name: removed meanwhile */
                if (json_is_string(json_object_get(names, json_string_value(v))))
                    json_array_append(list, json_object_get(names, json_string_value(v)));
            json_object_set_new(*out, key, list);
        }
    }
    json_decref(links);
    json_decref(names);
    return rc;
}
/* ---- end of names for a page of users ---- */

pc_status pc_iam_role_names_get(const char *tenant_id, const char *principal_id, json_t **names)
{
    return pc_iam_role_names_in(NULL, tenant_id, principal_id, names);
}

pc_status pc_iam_role_names_in(pc_store_tx *tx, const char *tenant_id, const char *principal_id,
                               json_t **names)
{
    return names_get(tx, PC_LINK_PRINCIPAL_ROLE, PC_ENT_ROLE, tenant_id, principal_id, 0, names);
}

pc_status pc_iam_group_role_names_get(const char *tenant_id, const char *group_id, json_t **names)
{
    return names_get(NULL, PC_LINK_GROUP_ROLE, PC_ENT_ROLE, tenant_id, group_id, 0, names);
}

pc_status pc_iam_group_names_get(const char *tenant_id, const char *user_id, json_t **names)
{
    return names_get(NULL, PC_LINK_GROUP_MEMBER, PC_ENT_GROUP, tenant_id, user_id, 1, names);
}

pc_status pc_iam_effective_roles_get(const char *tenant_id, const char *principal_id,
                                     json_t **names)
{
    *names = NULL;
    if (PC_DB->principal_roles(PC_DBS, NULL, tenant_id, principal_id, names) == PC_OK)
        return PC_OK;
    json_decref(*names);
    *names = json_array();
    return PC_ERR_STORAGE;
}
