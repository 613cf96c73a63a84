/* SPDX-License-Identifier: Apache-2.0 */
/* Tenants: immutable tenant views loaded on first use, reference counted, reloaded on change. */
#include "iam/tenant.h"
#include "iam/tenant_cache.h"
#include "oauth2/changes.h"
#include "oidc/discovery.h"
#include "server/store.h"
#include "util/bcache.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reload now and then so that time-based key transitions show in the JWKS. */
#define CACHE_TTL 60

static void tenant_free(pc_tenant *t)
{
    if (t == NULL)
        return;
    pc_keyring_free(t->keys);
    free(t->slug);
    free(t->name);
    free(t->issuer);
    free(t->audience);
    free(t->discovery);
    json_decref(t->settings);
    free(t);
}

void pc_tenant_release(pc_tenant *t)
{
    if (t != NULL && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
        tenant_free(t);
}

static int64_t setting_int(const json_t *s, const char *k, int64_t def)
{
    json_t *v = json_object_get(s, k);

    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : def;
}

static pc_jose_alg setting_alg(const json_t *s, const char *k, pc_jose_alg def)
{
    pc_jose_alg a = pc_jose_alg_from_str(json_string_value(json_object_get(s, k)));

    return a != PC_ALG_NONE_ ? a : def;
}

/* The settings of API.md §12–§13 (iam/tenant_settings.c checks them when they change). */
static void people_settings(pc_tenant *t, const json_t *s)
{
    const char *registration = json_string_value(json_object_get(s, "registration"));

    t->code_ttl = setting_int(s, "code_ttl", pc_srv->cfg.code_ttl);
    t->reset_ttl = setting_int(s, "reset_ttl", 3600);
    t->verify_ttl = setting_int(s, "verify_ttl", 86400);
    t->invitation_ttl = setting_int(s, "invitation_ttl", 259200);
    t->registration_open = registration != NULL && strcmp(registration, "open") == 0;
    t->mfa_required = json_is_true(json_object_get(s, "mfa_required"));
    t->settings = json_is_object(s) ? json_deep_copy(s) : json_object();
    t->dcr_mode = json_string_value(json_object_get(t->settings, "dynamic_client_registration"));
    if (t->dcr_mode == NULL)
        t->dcr_mode = "off";
}

static pc_status tenant_from_record(const json_t *rec, pc_tenant **out)
{
    const json_t *s = json_object_get(rec, "settings");
    const char *aud = json_string_value(json_object_get(s, "audience"));
    pc_tenant *t = pc_calloc(1, sizeof *t);
    json_t *doc;
    pc_status rc;

    snprintf(t->id, sizeof t->id, "%s", json_string_value(json_object_get(rec, "id")));
    t->slug = pc_strdup(json_string_value(json_object_get(rec, "slug")));
    t->name = pc_strdup(json_string_value(json_object_get(rec, "name")));
    t->issuer = pc_asprintf("%s/t/%s", pc_srv->cfg.public_url, t->slug);
    t->audience = pc_strdup(aud ? aud : t->issuer);
    t->access_alg = setting_alg(s, "access_token_alg", PC_ALG_ES256);
    t->id_alg = setting_alg(s, "id_token_alg", PC_ALG_RS256);
    t->access_ttl =
        setting_int(s, "access_ttl", setting_int(s, "access_token_ttl", pc_srv->cfg.access_ttl));
    t->refresh_ttl =
        setting_int(s, "refresh_ttl", setting_int(s, "refresh_token_ttl", pc_srv->cfg.refresh_ttl));
    t->session_ttl = setting_int(s, "session_ttl", pc_srv->cfg.session_ttl);
    t->max_roles_per_user = setting_int(s, "max_roles_per_user", 50);
    t->max_permissions_per_role = setting_int(s, "max_permissions_per_role", 1000);
    t->max_roles = setting_int(s, "max_roles", 500);
    t->password_min_length = setting_int(s, "password_min_length", 8);
    t->max_users = setting_int(s, "max_users", -1);
    people_settings(t, s);
    t->loaded_at = pc_now();
    t->refs = 1;
    doc = pc_oidc_discovery(t->issuer);
    pc_oidc_discovery_registration(doc, t->issuer, t->dcr_mode); /* RFC 7591 */
    t->discovery = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    rc = pc_keyring_load(t->id, pc_srv->master_key, t->loaded_at, &t->keys);
    if (rc != PC_OK) {
        tenant_free(t);
        return rc;
    }
    *out = t;
    return PC_OK;
}

/* What a loaded tenant holds on the heap, estimated from above (its keys dominate). */
static size_t footprint(const pc_tenant *t)
{
    return sizeof *t + strlen(t->slug) + strlen(t->name) + strlen(t->issuer) + strlen(t->audience) +
           strlen(t->discovery) + 5 * 32 + pc_bcache_footprint(t->settings) +
           pc_keyring_footprint(t->keys);
}

/* Tenants load on first use, not at start, and stay while within tenant_cache_bytes. */
static pc_status acquire(const char *field, const char *value, pc_tenant **out)
{
    json_t *rec = NULL;
    pc_status rc;

    *out = pc_tenant_cache_find(field, value, pc_now() - CACHE_TTL);
    if (*out != NULL)
        return PC_OK;
    rc = pc_db_get(NULL, PC_ENT_TENANT, NULL, field, value, &rec);
    if (rc == PC_OK)
        rc = tenant_from_record(rec, out);
    json_decref(rec);
    if (rc == PC_OK)
        pc_tenant_cache_put(*out, footprint(*out), (size_t)pc_srv->cfg.tenant_cache_bytes);
    return rc;
}

pc_status pc_tenant_acquire(const char *slug, pc_tenant **out)
{
    if (!pc_tenant_slug_valid(slug))
        return PC_ERR_NOT_FOUND;
    return acquire("slug", slug, out);
}

pc_status pc_tenant_acquire_id(const char *id, pc_tenant **out)
{
    return acquire("id", id, out);
}

void pc_tenant_invalidate(const char *tenant_id)
{
    pc_tenant_cache_drop(tenant_id);
}

void pc_tenants_sweep(int64_t now)
{
    pc_tenant_cache_sweep(now - CACHE_TTL);
}

static void on_change(const pc_change *c)
{
    if (strcmp(c->kind, "tenant") == 0 || strcmp(c->kind, "keys") == 0)
        pc_tenant_invalidate(c->tenant_id);
}

void pc_tenants_init(void)
{
    pc_changes_listen(on_change);
}

void pc_tenants_shutdown(void)
{
    pc_tenant_cache_clear();
}

int pc_tenant_slug_valid(const char *slug)
{
    size_t n = slug ? strlen(slug) : 0;

    if (n < 1 || n > 63)
        return 0;
    /* ^[a-z0-9][a-z0-9-]{0,62}$ */
    for (size_t i = 0; i < n; i++) {
        char c = slug[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && c == '-');
        if (!ok)
            return 0;
    }
    return 1;
}

pc_status pc_tenant_create(pc_store_tx *tx, const char *slug, const char *name, json_t **out)
{
    char id[37];
    int64_t now = pc_now();
    json_t *rec;
    pc_status rc;

    if (!pc_tenant_slug_valid(slug))
        return PC_ERR_INVALID;
    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:s,s:{},s:I}", "id", id, "slug", slug, "name", name ? name : slug,
                    "settings", "created_at", (json_int_t)now);
    rc = pc_db_insert(tx, PC_ENT_TENANT, rec, NULL, 0);
    if (rc == PC_OK)
        rc = pc_keyring_generate(tx, id, pc_srv->master_key, now, now);
    if (rc == PC_OK && out != NULL)
        *out = json_incref(rec);
    json_decref(rec);
    return rc;
}
