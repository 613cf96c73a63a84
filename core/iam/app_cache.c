/* SPDX-License-Identifier: Apache-2.0 */
/* Applications by client_id, kept in memory for client authentication; dropped on any change. */
#include "iam/app_cache.h"
#include "oauth2/changes.h"
#include "server/store.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_APPS 50000
/* Staleness across nodes is bounded by the change feed; this bounds anything missed. */
#define APP_TTL 60

static json_t *apps; /* "tenant_id/client_id" -> {"app": record, "at": loaded_at} */
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

static void key_of(char *buf, size_t len, const char *tenant_id, const char *client_id)
{
    snprintf(buf, len, "%s/%s", tenant_id, client_id);
}

static json_t *lookup(const char *key)
{
    json_t *e, *app = NULL;

    pthread_rwlock_rdlock(&lock);
    e = apps ? json_object_get(apps, key) : NULL;
    if (e != NULL && json_integer_value(json_object_get(e, "at")) + APP_TTL > pc_now())
        app = json_incref(json_object_get(e, "app"));
    pthread_rwlock_unlock(&lock);
    return app;
}

static void remember(const char *key, json_t *app)
{
    pthread_rwlock_wrlock(&lock);
    if (apps == NULL || json_object_size(apps) >= MAX_APPS) {
        json_decref(apps);
        apps = json_object();
    }
    json_object_set_new(apps, key, json_pack("{s:O,s:I}", "app", app, "at", (json_int_t)pc_now()));
    pthread_rwlock_unlock(&lock);
}

pc_status pc_app_cache_get(const char *tenant_id, const char *client_id, json_t **app)
{
    char key[256];
    pc_status rc;

    key_of(key, sizeof key, tenant_id, client_id);
    *app = lookup(key);
    if (*app != NULL)
        return PC_OK;
    /* Unknown client ids are not remembered: anyone can make up more of them. */
    rc = pc_db_get(NULL, PC_ENT_APPLICATION, tenant_id, "client_id", client_id, app);
    if (rc == PC_OK)
        remember(key, *app);
    return rc;
}

static void forget(const char *tenant_id, const char *client_id)
{
    char key[256];
    size_t n = strlen(tenant_id);
    const char *k;
    json_t *v, *tmp;

    pthread_rwlock_wrlock(&lock);
    if (client_id != NULL) {
        key_of(key, sizeof key, tenant_id, client_id);
        json_object_del(apps, key);
    } else {
        json_object_foreach_safe (apps, tmp, k, v) {
            if (strncmp(k, tenant_id, n) == 0 && k[n] == '/')
                json_object_del(apps, k);
        }
    }
    pthread_rwlock_unlock(&lock);
}

static void on_change(const pc_change *c)
{
    if (strcmp(c->kind, "app") == 0 || strcmp(c->kind, "client") == 0)
        forget(c->tenant_id, c->key);
    else if (strcmp(c->kind, "tenant") == 0)
        forget(c->tenant_id, NULL);
}

void pc_app_cache_init(void)
{
    pc_changes_listen(on_change);
}

void pc_app_cache_shutdown(void)
{
    pthread_rwlock_wrlock(&lock);
    json_decref(apps);
    apps = NULL;
    pthread_rwlock_unlock(&lock);
}
