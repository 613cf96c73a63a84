/* SPDX-License-Identifier: Apache-2.0 */
/* The consoles' OIDC client (API.md §13): portcullis-console in every tenant, kept pointing at its issuer. */
#include "server/console_app.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pages the console application may return to, for a tenant's issuer. */
static json_t *console_uris(const char *slug)
{
    const char *base = pc_srv->cfg.public_url;

    return json_pack("[s+++,s+++]", base, "/t/", slug, "/ui/account", base, "/t/", slug,
                     "/ui/admin");
}

/* The start-up pass over every tenant runs beside the server (pc_console_apps_start). */
static pthread_t worker;
static int started, stopping;

static json_t *console_record(const char *tenant_id, const char *slug)
{
    char id[37];
    json_int_t now = pc_now();

    pc_uuid7(id);
    /* Public (PKCE), first-party (no consent screen, may use the management API as the person),
     * internal (left out of GET /applications unless asked for, API.md §11). */
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:n,s:[s,s],s:o,s:o,s:[s,s,s],s:[],s:b,s:b,s:I,s:I}",
                     "id", id, "tenant_id", tenant_id, "client_id", PC_CONSOLE_CLIENT, "name",
                     PC_CONSOLE_NAME, "type", "public", "secret_hash", "grant_types",
                     "authorization_code", "refresh_token", "redirect_uris", console_uris(slug),
                     "post_logout_redirect_uris", console_uris(slug), "scopes", "openid", "profile",
                     "email", "resources", "first_party", 1, "internal", 1, "created_at", now,
                     "updated_at", now);
}

pc_status pc_console_app_ensure(pc_store_tx *tx, const char *tenant_id, const char *slug)
{
    json_t *app = NULL, *uris = console_uris(slug), *rec = NULL, *patch = NULL;
    pc_status rc =
        pc_db_get(tx, PC_ENT_APPLICATION, tenant_id, "client_id", PC_CONSOLE_CLIENT, &app);

    if (rc == PC_ERR_NOT_FOUND) {
        rec = console_record(tenant_id, slug);
        rc = pc_db_insert(tx, PC_ENT_APPLICATION, rec, NULL, 0);
    } else if (rc == PC_OK && (!json_equal(json_object_get(app, "redirect_uris"), uris) ||
                               !json_is_true(json_object_get(app, "internal")))) {
        /* PUBLIC_URL changed since the last start (follow it), or a store from before. */
        patch = json_pack("{s:O,s:O,s:b,s:I}", "redirect_uris", uris, "post_logout_redirect_uris",
                          uris, "internal", 1, "updated_at", (json_int_t)pc_now());
        rc = pc_db_update(tx, PC_ENT_APPLICATION, tenant_id,
                          json_string_value(json_object_get(app, "id")), patch, NULL, 0);
    }
    json_decref(patch);
    json_decref(rec);
    json_decref(app);
    json_decref(uris);
    return rc;
}

static pc_status ensure_one(const json_t *tenant)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_console_app_ensure(tx, json_string_value(json_object_get(tenant, "id")),
                                   json_string_value(json_object_get(tenant, "slug")));
    rc = tx ? pc_db_finish(tx, rc) : rc;
    if (rc != PC_OK)
        pc_warn("tenant %s: the console application could not be set up: %s",
                json_string_value(json_object_get(tenant, "slug")), pc_status_str(rc));
    return rc;
}

/* Every tenant's, a page at a time, until done or asked to stop. */
static void *ensure_all(void *arg)
{
    char after[64] = "";
    json_t *rows = NULL, *t;
    pc_store_query q;
    size_t i, n;

    (void)arg;
    do {
        q = (pc_store_query){.after = after[0] ? after : NULL, .limit = 100};
        if (pc_db_list(NULL, PC_ENT_TENANT, NULL, &q, &rows) != PC_OK)
            return NULL; /* the next start tries again */
        json_array_foreach (rows, i, t) {
            if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE) || ensure_one(t) == PC_ERR_STORAGE)
                break;
            snprintf(after, sizeof after, "%s", json_string_value(json_object_get(t, "id")));
        }
        n = i == json_array_size(rows) ? i : 0;
        json_decref(rows);
    } while (n == 100);
    return NULL;
}

pc_status pc_console_apps_ensure(void)
{
    json_t *tenant = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_TENANT, NULL, "slug", "default", &tenant);

    if (rc == PC_OK)
        rc = ensure_one(tenant);
    json_decref(tenant);
    return rc == PC_ERR_NOT_FOUND ? PC_OK : rc;
}

void pc_console_apps_start(void)
{
    __atomic_store_n(&stopping, 0, __ATOMIC_RELEASE);
    started = pthread_create(&worker, NULL, ensure_all, NULL) == 0;
}

void pc_console_apps_stop(void)
{
    __atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
    if (started)
        pthread_join(worker, NULL);
    started = 0;
}
