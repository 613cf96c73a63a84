/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled permission sets per principal, answered from memory, cleared on any role or group change. */
#include "iam/permcache.h"
#include "iam/orgs.h"
#include "oauth2/changes.h"
#include "server/store.h"
#include "util/bcache.h"

#include <stdio.h>
#include <string.h>

/* Bounded in bytes: the least recently used sets leave first. */
#define CACHE_BYTES (8u << 20)
/* Cross-node staleness is bounded by the change feed; this bounds anything missed. */
#define SET_TTL 60

/*
 * A compiled set is a JSON object used as a hash set: its keys are the
 * granted permissions as written ("ledger:post", "ledger:*", "*:read",
 * "*:*"), so a check is at most four lookups whatever the set's size.
 * sets: "tenant_id/principal_id" -> set, for SET_TTL seconds.
 */
static pc_bcache *sets;

/* An organization-scoped set (API.md §18) is "tenant_id/principal_id@org_id". */
static void set_key(char *buf, size_t len, const char *tenant_id, const char *principal_id,
                    const char *org_id)
{
    snprintf(buf, len, "%s/%s%s%s", tenant_id, principal_id, org_id ? "@" : "",
             org_id ? org_id : "");
}

static int covers(const json_t *perms, const char *resource, const char *action)
{
    char k[300];

    if (json_object_get(perms, "*:*") != NULL)
        return 1;
    snprintf(k, sizeof k, "%s:%s", resource, action);
    if (json_object_get(perms, k) != NULL)
        return 1;
    snprintf(k, sizeof k, "%s:*", resource);
    if (json_object_get(perms, k) != NULL)
        return 1;
    snprintf(k, sizeof k, "*:%s", action);
    return json_object_get(perms, k) != NULL;
}

static json_t *compile(const json_t *list)
{
    json_t *perms = json_object(), *p;
    size_t i;

    json_array_foreach (list, i, p)
        if (json_is_string(p))
            json_object_set_new(perms, json_string_value(p), json_true());
    return perms;
}

/* The tenant-wide permissions, plus the membership's in an organization. */
static json_t *load(const char *tenant_id, const char *principal_id, const char *org_id)
{
    char key[200];
    json_t *perms, *list = NULL, *member = NULL;

    set_key(key, sizeof key, tenant_id, principal_id, org_id);
    perms = pc_bcache_get(sets, key, pc_now());
    if (perms != NULL)
        return perms;
    if (PC_DB->principal_permissions(PC_DBS, NULL, tenant_id, principal_id, &list) != PC_OK)
        return NULL;
    if (org_id != NULL) {
        if (pc_org_member_permissions(tenant_id, org_id, principal_id, &member) != PC_OK) {
            json_decref(list);
            return NULL;
        }
        json_array_extend(list, member);
        json_decref(member);
    }
    perms = compile(list);
    json_decref(list);
    pc_bcache_put(sets, key, perms, pc_now() + SET_TTL, pc_now());
    return perms;
}

pc_status pc_permcache_check(const char *tenant_id, const char *principal_id, const char *resource,
                             const char *action, int *allowed)
{
    return pc_permcache_check_in(tenant_id, principal_id, NULL, resource, action, allowed);
}

pc_status pc_permcache_check_in(const char *tenant_id, const char *principal_id, const char *org_id,
                                const char *resource, const char *action, int *allowed)
{
    json_t *perms = load(tenant_id, principal_id, org_id);

    if (perms == NULL)
        return PC_ERR_STORAGE;
    *allowed = covers(perms, resource, action);
    json_decref(perms);
    return PC_OK;
}

json_t *pc_permcache_list(const char *tenant_id, const char *principal_id)
{
    return pc_permcache_list_in(tenant_id, principal_id, NULL);
}

json_t *pc_permcache_list_in(const char *tenant_id, const char *principal_id, const char *org_id)
{
    json_t *perms = load(tenant_id, principal_id, org_id), *list;
    const char *k;
    json_t *v;

    if (perms == NULL)
        return NULL;
    list = json_array();
    json_object_foreach (perms, k, v)
        json_array_append_new(list, json_string(k));
    json_decref(perms);
    return list;
}

void pc_permcache_clear_tenant(const char *tenant_id)
{
    char prefix[64];

    snprintf(prefix, sizeof prefix, "%s/", tenant_id);
    pc_bcache_remove(sets, prefix, 1);
}

static void on_change(const pc_change *c)
{
    if (strcmp(c->kind, "perm") == 0 || strcmp(c->kind, "tenant") == 0)
        pc_permcache_clear_tenant(c->tenant_id);
}

void pc_permcache_init(void)
{
    if (sets == NULL)
        sets = pc_bcache_new("permission",
                             pc_srv ? (size_t)pc_srv->cfg.permission_cache_bytes : CACHE_BYTES);
    pc_changes_listen(on_change);
}

void pc_permcache_shutdown(void)
{
    pc_bcache_free(sets);
    sets = NULL;
}
