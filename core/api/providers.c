/* SPDX-License-Identifier: Apache-2.0 */
/* /providers: delivery provider instances (email, SMS); secrets in config are write-only and sealed at rest. */
#include "api/provider_trust.h"
#include "api/resource.h"
#include "api/users.h"
#include "iam/providers.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static json_t *provider_view(const json_t *p, void *ctx)
{
    (void)ctx;
    return json_pack("{s:O,s:O,s:O,s:O,s:o,s:o,s:o}", "id", json_object_get(p, "id"), "name",
                     json_object_get(p, "name"), "kind", json_object_get(p, "kind"), "plugin",
                     json_object_get(p, "plugin"), "config",
                     pc_provider_config_redact(json_object_get(p, "config")), "created_at",
                     pc_api_time(json_object_get(p, "created_at")), "updated_at",
                     pc_api_time(json_object_get(p, "updated_at")));
}

void pc_api_providers_list(pc_req *rq)
{
    pc_api_list(rq, PC_ENT_PROVIDER, "providers", provider_view);
}

void pc_api_providers_get(pc_req *rq)
{
    pc_api_get_one(rq, PC_ENT_PROVIDER, "providers", provider_view);
}

void pc_api_providers_delete(pc_req *rq)
{
    pc_api_delete_one(rq, PC_ENT_PROVIDER, "providers", "provider.deleted");
}

/* What is wrong with a plain config for the plugin (static), or NULL. */
static const char *config_problem(const pc_provider_ops *ops, void *state, const json_t *plain)
{
    json_t *config, *def = json_object_get(plain, "default");
    const char *problem = NULL;
    pc_status rc;

    if (def != NULL && !json_is_boolean(def))
        return "default must be true or false";
    config = pc_provider_plugin_config(plain);
    rc = ops->check_config(state, config, &problem);
    json_decref(config);
    if (rc != PC_OK)
        return problem ? problem : "is not valid for this plugin";
    return NULL;
}

/* Check a plain config against the plugin; replies 400 naming the problem and returns 0 if bad. */
static int config_ok(pc_req *rq, const pc_provider_ops *ops, void *state, const json_t *plain)
{
    const char *problem = config_problem(ops, state, plain);

    if (problem != NULL)
        pc_api_invalid_field(rq, "config", problem);
    return problem == NULL;
}

static const char *name_problem(const json_t *name)
{
    if (name == NULL)
        return NULL;
    return json_string_length(name) == 0 || json_string_length(name) > 128
               ? "must be 1 to 128 characters"
               : NULL;
}

/* The plugin named in a create body, serving its kind; replies 400 and returns NULL if not. */
static const pc_provider_ops *plugin_for(pc_req *rq, const json_t *body, void **state)
{
    const char *kind = json_string_value(json_object_get(body, "kind"));
    const pc_provider_ops *ops =
        pc_provider_plugin(json_string_value(json_object_get(body, "plugin")), state);

    if (strcmp(kind, "email") != 0 && strcmp(kind, "sms") != 0) {
        pc_api_invalid_field(rq, "kind", "must be email or sms");
        return NULL;
    }
    if (ops == NULL) {
        pc_api_invalid_field(rq, "plugin", "no provider plugin of this name is loaded");
        return NULL;
    }
    if (!pc_provider_serves(ops, kind)) {
        pc_api_invalid_field(rq, "plugin", "this plugin does not deliver this kind of message");
        return NULL;
    }
    return ops;
}

static pc_status insert_provider(pc_req *rq, const pc_principal *p, json_t *rec, char *conflict)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_db_insert(tx, PC_ENT_PROVIDER, rec, conflict, 64);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "provider.created",
                          json_string_value(json_object_get(rec, "id")),
                          json_pack("{s:O,s:O}", "name", json_object_get(rec, "name"), "plugin",
                                    json_object_get(rec, "plugin")));
    return pc_api_finish(tx, rc);
}

static const pc_field create_fields[] = {{"name", PC_F_STRING, 1},
                                         {"kind", PC_F_STRING, 1},
                                         {"plugin", PC_F_STRING, 1},
                                         {"config", PC_F_OBJECT, 0}};

void pc_api_providers_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *sealed = NULL, *empty = json_object(), *plain;
    const pc_provider_ops *ops;
    void *state = NULL;
    char id[37], conflict[64] = "";
    json_int_t now = pc_now();
    pc_status rc;

    if (!pc_api_require(rq, &p, "providers", "create") ||
        (body = pc_api_body(rq, create_fields, sizeof create_fields / sizeof *create_fields)) ==
            NULL)
        goto out;
    plain = json_object_get(body, "config") ? json_object_get(body, "config") : empty;
    if (name_problem(json_object_get(body, "name")) != NULL) {
        pc_api_invalid_field(rq, "name", name_problem(json_object_get(body, "name")));
        goto out;
    }
    if ((ops = plugin_for(rq, body, &state)) == NULL || !config_ok(rq, ops, state, plain))
        goto out;
    pc_uuid7(id);
    sealed = pc_provider_config_seal(ops, rq->tenant->id, plain, NULL);
    rec = json_pack("{s:s,s:s,s:O,s:O,s:O,s:O,s:I,s:I}", "id", id, "tenant_id", rq->tenant->id,
                    "name", json_object_get(body, "name"), "kind", json_object_get(body, "kind"),
                    "plugin", json_object_get(body, "plugin"), "config",
                    sealed ? sealed : json_null(), "created_at", now, "updated_at", now);
    if (sealed != NULL && !pc_api_may_change_provider(rq, &p, NULL, rec))
        goto out;
    rc = sealed ? insert_provider(rq, &p, rec, conflict) : PC_ERR_CRYPTO;
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, 201, provider_view(rec, NULL));
out:
    json_decref(empty);
    json_decref(sealed);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

static const pc_field patch_fields[] = {{"name", PC_F_STRING, 0}, {"config", PC_F_OBJECT, 0}};

/* Did the PATCH drop a stored secret (because the destination changed and it was not sent again)? */
static int secret_dropped(const pc_provider_ops *ops, const json_t *stored, const json_t *sealed)
{
    for (size_t i = 0; ops->secret_fields != NULL && ops->secret_fields[i] != NULL; i++)
        if (json_object_get(stored, ops->secret_fields[i]) != NULL &&
            json_object_get(sealed, ops->secret_fields[i]) == NULL)
            return 1;
    return 0;
}

/* Check the patched config; a failure caused by a dropped secret says so. */
static int patched_ok(pc_req *rq, const pc_provider_ops *ops, void *state, const json_t *opened,
                      int dropped)
{
    const char *problem = config_problem(ops, state, opened);
    char *why;

    if (problem == NULL)
        return 1;
    if (!dropped) {
        pc_api_invalid_field(rq, "config", problem);
        return 0;
    }
    why = pc_asprintf("%s (the destination changed, so the stored secrets were dropped: send them "
                      "again)",
                      problem);
    pc_api_invalid_field(rq, "config", why);
    free(why);
    return 0;
}

/*
 * The new stored config from a PATCH body: checked in the clear, secrets kept
 * unless replaced, or unless the destination changed (docs/mfa.md).
 */
static json_t *patched_config(pc_req *rq, const json_t *rec, const json_t *body)
{
    const json_t *stored = json_object_get(rec, "config"), *given = json_object_get(body, "config");
    void *state = NULL;
    const pc_provider_ops *ops =
        pc_provider_plugin(json_string_value(json_object_get(rec, "plugin")), &state);
    json_t *sealed = NULL, *opened, *check;

    if (ops == NULL) {
        pc_api_invalid_field(rq, "plugin", "the provider's plugin is not loaded");
        return NULL;
    }
    if (given == NULL) /* no config in the body: unchanged */
        return json_deep_copy(stored);
    sealed = pc_provider_config_seal(ops, rq->tenant->id, given, stored);
    opened = sealed ? pc_provider_config_open(rq->tenant->id, sealed) : NULL;
    check = opened && patched_ok(rq, ops, state, opened, secret_dropped(ops, stored, sealed))
                ? sealed
                : NULL;
    if (opened == NULL)
        pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
    if (check == NULL)
        json_decref(sealed);
    json_decref(opened);
    return check;
}

static pc_status update_provider(pc_req *rq, const pc_principal *p, const char *id, json_t *cols,
                                 char *conflict)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_PROVIDER, rq->tenant->id, id, cols, conflict, 64);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "provider.updated", id, NULL);
    return pc_api_finish(tx, rc);
}

/* The trust question of a PATCH that gives the provider `config`. */
static int may_patch(pc_req *rq, const pc_principal *p, const json_t *rec, json_t *config)
{
    json_t *after = json_deep_copy(rec);
    int ok;

    json_object_set(after, "config", config);
    ok = pc_api_may_change_provider(rq, p, rec, after);
    json_decref(after);
    return ok;
}

void pc_api_providers_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *config = NULL, *cols;
    char conflict[64] = "";
    pc_status rc;

    if (!pc_api_require(rq, &p, "providers", "update") ||
        (body = pc_api_body(rq, patch_fields, sizeof patch_fields / sizeof *patch_fields)) ==
            NULL ||
        (rec = pc_api_load(rq, PC_ENT_PROVIDER)) == NULL)
        goto out;
    if (name_problem(json_object_get(body, "name")) != NULL) {
        pc_api_invalid_field(rq, "name", name_problem(json_object_get(body, "name")));
        goto out;
    }
    if ((config = patched_config(rq, rec, body)) == NULL || !may_patch(rq, &p, rec, config))
        goto out;
    cols = json_pack("{s:O,s:O,s:I}", "name",
                     json_object_get(body, "name") ? json_object_get(body, "name")
                                                   : json_object_get(rec, "name"),
                     "config", config, "updated_at", (json_int_t)pc_now());
    rc = update_provider(rq, &p, json_string_value(json_object_get(rec, "id")), cols, conflict);
    json_object_update(rec, cols);
    json_decref(cols);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, 200, provider_view(rec, NULL));
out:
    json_decref(config);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}
