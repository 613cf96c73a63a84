/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled permission sets per principal, answered from memory, cleared on any role or group change. */
#include "iam/permcache.h"
#include "oauth2/changes.h"
#include "server/store.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Bounded: past this many sets the cache starts over. */
#define MAX_SETS 100000
/* Cross-node staleness is bounded by the change feed; this bounds anything missed. */
#define SET_TTL 60

/*
 * A compiled set is a JSON object used as a hash set: its keys are the
 * granted permissions as written ("ledger:post", "ledger:*", "*:read",
 * "*:*"), so a check is at most four lookups whatever the set's size.
 * sets: "tenant_id/principal_id" -> {"perms": set, "at": loaded_at}
 */
static json_t *sets;
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

static void set_key(char *buf, size_t len, const char *tenant_id, const char *principal_id)
{
    snprintf(buf, len, "%s/%s", tenant_id, principal_id);
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

/* The cached set (a new reference), or NULL. */
static json_t *lookup(const char *key)
{
    json_t *e, *perms = NULL;

    pthread_rwlock_rdlock(&lock);
    e = sets ? json_object_get(sets, key) : NULL;
    if (e != NULL && json_integer_value(json_object_get(e, "at")) + SET_TTL > pc_now())
        perms = json_incref(json_object_get(e, "perms"));
    pthread_rwlock_unlock(&lock);
    return perms;
}

static void store_set(const char *key, json_t *perms)
{
    pthread_rwlock_wrlock(&lock);
    if (sets == NULL || json_object_size(sets) >= MAX_SETS) {
        json_decref(sets);
        sets = json_object();
    }
    json_object_set_new(sets, key,
                        json_pack("{s:O,s:I}", "perms", perms, "at", (json_int_t)pc_now()));
    pthread_rwlock_unlock(&lock);
}

static json_t *load(const char *tenant_id, const char *principal_id)
{
    char key[200];
    json_t *perms, *list = NULL;

    set_key(key, sizeof key, tenant_id, principal_id);
    perms = lookup(key);
    if (perms != NULL)
        return perms;
    if (PC_DB->principal_permissions(PC_DBS, NULL, tenant_id, principal_id, &list) != PC_OK)
        return NULL;
    perms = compile(list);
    json_decref(list);
    store_set(key, perms);
    return perms;
}

pc_status pc_permcache_check(const char *tenant_id, const char *principal_id, const char *resource,
                             const char *action, int *allowed)
{
    json_t *perms = load(tenant_id, principal_id);

    if (perms == NULL)
        return PC_ERR_STORAGE;
    *allowed = covers(perms, resource, action);
    json_decref(perms);
    return PC_OK;
}

json_t *pc_permcache_list(const char *tenant_id, const char *principal_id)
{
    json_t *perms = load(tenant_id, principal_id), *list;
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
    size_t n = strlen(tenant_id);
    const char *key;
    json_t *v, *tmp;

    pthread_rwlock_wrlock(&lock);
    json_object_foreach_safe (sets, tmp, key, v) {
        if (strncmp(key, tenant_id, n) == 0 && key[n] == '/')
            json_object_del(sets, key);
    }
    pthread_rwlock_unlock(&lock);
}

static void on_change(const pc_change *c)
{
    if (strcmp(c->kind, "perm") == 0 || strcmp(c->kind, "tenant") == 0)
        pc_permcache_clear_tenant(c->tenant_id);
}

void pc_permcache_init(void)
{
    pc_changes_listen(on_change);
}

void pc_permcache_shutdown(void)
{
    pthread_rwlock_wrlock(&lock);
    json_decref(sets);
    sets = NULL;
    pthread_rwlock_unlock(&lock);
}
