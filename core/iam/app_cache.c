/* SPDX-License-Identifier: Apache-2.0 */
/* Applications by client_id, kept in memory for client authentication; dropped on any change. */
#include "iam/app_cache.h"
#include "oauth2/changes.h"
#include "server/store.h"
#include "util/bcache.h"

#include <stdio.h>
#include <string.h>

/* Bounded in bytes: the least recently used applications leave first. */
#define CACHE_BYTES (8u << 20)
/* Staleness across nodes is bounded by the change feed; this bounds anything missed. */
#define APP_TTL 60

static pc_bcache *apps; /* "tenant_id/client_id" -> record, for APP_TTL seconds */

static void key_of(char *buf, size_t len, const char *tenant_id, const char *client_id)
{
    snprintf(buf, len, "%s/%s", tenant_id, client_id);
}

pc_status pc_app_cache_get(const char *tenant_id, const char *client_id, json_t **app)
{
    char key[256];
    pc_status rc;

    key_of(key, sizeof key, tenant_id, client_id);
    *app = pc_bcache_get(apps, key, pc_now());
    if (*app != NULL)
        return PC_OK;
    /* Unknown client ids are not remembered: anyone can make up more of them. */
    rc = pc_db_get(NULL, PC_ENT_APPLICATION, tenant_id, "client_id", client_id, app);
    if (rc == PC_OK)
        pc_bcache_put(apps, key, *app, pc_now() + APP_TTL, pc_now());
    return rc;
}

static void forget(const char *tenant_id, const char *client_id)
{
    char key[256];

    if (client_id != NULL)
        key_of(key, sizeof key, tenant_id, client_id);
    else
        snprintf(key, sizeof key, "%s/", tenant_id);
    pc_bcache_remove(apps, key, client_id == NULL);
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
    if (apps == NULL)
        apps = pc_bcache_new("application",
                             pc_srv ? (size_t)pc_srv->cfg.application_cache_bytes : CACHE_BYTES);
    pc_changes_listen(on_change);
}

void pc_app_cache_shutdown(void)
{
    pc_bcache_free(apps);
    apps = NULL;
}
