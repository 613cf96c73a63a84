/* SPDX-License-Identifier: Apache-2.0 */
/* Delivery provider instances: their plugins, secrets sealed at rest, the choice of one for a message. */
#include "iam/providers.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

#define SEALED "$sealed"
#define MAX_PROVIDERS 100

const pc_provider_ops *pc_provider_plugin(const char *name, void **state)
{
    pc_loaded_plugin *p = name ? pc_registry_find(&pc_srv->plugins, PC_KIND_PROVIDER, name) : NULL;

    if (p == NULL || !p->initialised)
        return NULL;
    *state = p->state;
    return (const pc_provider_ops *)p->desc;
}

int pc_provider_serves(const pc_provider_ops *ops, const char *kind)
{
    return kind != NULL && (ops->channel == NULL || strcmp(ops->channel, kind) == 0);
}

int pc_provider_is_secret(const pc_provider_ops *ops, const char *key)
{
    for (size_t i = 0; ops->secret_fields != NULL && ops->secret_fields[i] != NULL; i++)
        if (strcmp(ops->secret_fields[i], key) == 0)
            return 1;
    return 0;
}

static json_t *seal_value(const char *tenant_id, const char *plain)
{
    char *sealed = NULL;
    json_t *v;

    if (pc_seal(pc_srv->master_key, tenant_id, plain, strlen(plain), &sealed) != PC_OK)
        return NULL;
    v = json_pack("{s:s}", SEALED, sealed);
    free(sealed);
    return v;
}

int pc_provider_destination_changed(const json_t *plain, const json_t *previous)
{
    /* Where a provider connects, and how: url and mode (http-sms), host, port, security (smtp). */
    static const char *const members[] = {"url", "mode", "host", "port", "security", NULL};

    if (previous == NULL)
        return 0;
    for (size_t i = 0; members[i] != NULL; i++) {
        json_t *a = json_object_get(plain, members[i]), *b = json_object_get(previous, members[i]);
        if ((a == NULL) != (b == NULL) || (a != NULL && !json_equal(a, b)))
            return 1;
    }
    return 0;
}

json_t *pc_provider_config_seal(const pc_provider_ops *ops, const char *tenant_id,
                                const json_t *plain, const json_t *previous)
{
    json_t *out = json_object(), *v, *kept;
    const char *key;
    /* A secret stored for one destination is never sent to another one it was not given for. */
    int keep = !pc_provider_destination_changed(plain, previous);

    json_object_foreach ((json_t *)plain, key, v) {
        int secret = pc_provider_is_secret(ops, key) && json_is_string(v);
        if (secret && strcmp(json_string_value(v), PC_PROVIDER_SECRET_MASK) == 0)
            continue; /* the mask means "unchanged": handled below */
        json_object_set_new(out, key,
                            secret ? seal_value(tenant_id, json_string_value(v)) : json_incref(v));
        if (json_object_get(out, key) == NULL) {
            json_decref(out);
            return NULL;
        }
    }
    for (size_t i = 0; ops->secret_fields != NULL && ops->secret_fields[i] != NULL; i++) {
        key = ops->secret_fields[i];
        kept = json_object_get(previous, key);
        if (keep && json_object_get(out, key) == NULL && kept != NULL &&
            (json_object_get(plain, key) == NULL || json_is_string(json_object_get(plain, key))))
            json_object_set(out, key, kept);
    }
    return out;
}

json_t *pc_provider_config_open(const char *tenant_id, const json_t *stored)
{
    json_t *out = json_deep_copy(stored ? stored : json_null()), *v;
    const char *key;

    if (!json_is_object(out)) {
        json_decref(out);
        return json_object();
    }
    json_object_foreach (out, key, v) {
        const char *sealed = json_string_value(json_object_get(v, SEALED));
        uint8_t *plain = NULL;
        size_t n = 0;
        if (sealed == NULL)
            continue;
        if (pc_unseal(pc_srv->master_key, tenant_id, sealed, &plain, &n) != PC_OK) {
            pc_error("a provider secret does not open with this master key: tenant=%s member=%s",
                     tenant_id, key);
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, key, json_stringn((const char *)plain, n));
        memset(plain, 0, n);
        free(plain);
    }
    return out;
}

json_t *pc_provider_config_redact(const json_t *stored)
{
    json_t *out = json_deep_copy(stored ? stored : json_null()), *v;
    const char *key;

    if (!json_is_object(out)) {
        json_decref(out);
        return json_object();
    }
    json_object_foreach (out, key, v)
        if (json_object_get(v, SEALED) != NULL)
            json_object_set_new(out, key, json_string(PC_PROVIDER_SECRET_MASK));
    return out;
}

json_t *pc_provider_plugin_config(const json_t *plain)
{
    json_t *c = json_copy((json_t *)plain);

    json_object_del(c, "default");
    return c;
}

/* The application's default provider of `kind`, if it names one that exists. */
static json_t *app_default(const char *tenant_id, const char *client_id, const char *kind)
{
    json_t *app = NULL, *p = NULL;
    const char *id;

    if (client_id == NULL ||
        pc_db_get(NULL, PC_ENT_APPLICATION, tenant_id, "client_id", client_id, &app) != PC_OK)
        return NULL;
    id = json_string_value(json_object_get(json_object_get(app, "default_providers"), kind));
    if (id != NULL && pc_db_get(NULL, PC_ENT_PROVIDER, tenant_id, "id", id, &p) == PC_OK &&
        strcmp(json_string_value(json_object_get(p, "kind")), kind) != 0) {
        json_decref(p);
        p = NULL;
    }
    json_decref(app);
    return p;
}

/* The tenant's default of `kind`: flagged "default": true, else the only one. */
static json_t *tenant_default(const char *tenant_id, const char *kind)
{
    json_t *filters = json_pack("{s:s}", "kind", kind), *rows = NULL, *row, *pick = NULL;
    pc_store_query q = {.filters = filters, .after = NULL, .limit = MAX_PROVIDERS, .descending = 0};
    size_t i;

    if (pc_db_list(NULL, PC_ENT_PROVIDER, tenant_id, &q, &rows) == PC_OK) {
        json_array_foreach (rows, i, row) {
            if (json_is_true(json_object_get(json_object_get(row, "config"), "default"))) {
                pick = json_incref(row);
                break;
            }
        }
        if (pick == NULL && json_array_size(rows) == 1)
            pick = json_incref(json_array_get(rows, 0));
    }
    json_decref(rows);
    json_decref(filters);
    return pick;
}

pc_status pc_provider_resolve(const char *tenant_id, const char *client_id, const char *kind,
                              json_t **provider)
{
    json_t *p = app_default(tenant_id, client_id, kind);

    if (p == NULL)
        p = tenant_default(tenant_id, kind);
    if (p == NULL)
        return PC_ERR_NOT_FOUND;
    *provider = p;
    return PC_OK;
}

pc_status pc_provider_send(const char *tenant_id, const json_t *provider, const pc_message *msg)
{
    const char *plugin = json_string_value(json_object_get(provider, "plugin"));
    const char *name = json_string_value(json_object_get(provider, "name"));
    void *state = NULL;
    const pc_provider_ops *ops = pc_provider_plugin(plugin, &state);
    json_t *plain, *config;
    pc_status rc;

    if (ops == NULL) {
        pc_error("provider %s needs the plugin %s, which is not loaded", name ? name : "?",
                 plugin ? plugin : "?");
        return PC_ERR_UNAVAILABLE;
    }
    plain = pc_provider_config_open(tenant_id, json_object_get(provider, "config"));
    if (plain == NULL)
        return PC_ERR_UNAVAILABLE;
    config = pc_provider_plugin_config(plain);
    rc = ops->send(state, config, msg);
    if (rc != PC_OK)
        pc_warn("delivery failed: tenant=%s provider=%s plugin=%s status=%s", tenant_id,
                name ? name : "?", plugin, pc_status_str(rc));
    json_decref(config);
    json_decref(plain);
    return rc == PC_OK ? PC_OK : PC_ERR_UNAVAILABLE;
}
