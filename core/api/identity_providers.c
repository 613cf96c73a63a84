/* SPDX-License-Identifier: Apache-2.0 */
/* /identity-providers (API.md §14): upstream OIDC, OAuth 2.0 and directory providers of a tenant. */
#include "api/idp_rules.h"
#include "api/resource.h"
#include "api/users.h"
#include "iam/idp.h"
#include "iam/providers.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static json_t *idp_view(const json_t *r, void *tenant_id)
{
    json_t *v = json_pack(
        "{s:O,s:O,s:O,s:O,s:o,s:O,s:O,s:O,s:O,s:O}", "id", json_object_get(r, "id"), "name",
        json_object_get(r, "name"), "display_name", json_object_get(r, "display_name"), "kind",
        json_object_get(r, "kind"), "config",
        pc_provider_config_redact(json_object_get(r, "config")), "enabled",
        json_object_get(r, "enabled"), "jit", json_object_get(r, "jit"), "default_roles",
        json_object_get(r, "default_roles"), "link_by_email", json_object_get(r, "link_by_email"),
        "trust_mfa", json_object_get(r, "trust_mfa"));

    (void)tenant_id;
    json_object_set_new(v, "created_at", pc_api_time(json_object_get(r, "created_at")));
    json_object_set_new(v, "updated_at", pc_api_time(json_object_get(r, "updated_at")));
    return v;
}

void pc_api_idps_list(pc_req *rq)
{
    pc_api_list(rq, PC_ENT_IDENTITY_PROVIDER, "identity_providers", idp_view);
}

void pc_api_idps_get(pc_req *rq)
{
    pc_api_get_one(rq, PC_ENT_IDENTITY_PROVIDER, "identity_providers", idp_view);
}

void pc_api_idps_delete(pc_req *rq)
{
    pc_api_delete_one(rq, PC_ENT_IDENTITY_PROVIDER, "identity_providers",
                      "identity_provider.deleted");
}

static const pc_field fields[] = {
    {"name", PC_F_STRING, 1},           {"display_name", PC_F_STRING, 1},
    {"kind", PC_F_STRING, 1},           {"config", PC_F_OBJECT, 0},
    {"enabled", PC_F_BOOL, 0},          {"jit", PC_F_BOOL, 0},
    {"default_roles", PC_F_STRINGS, 0}, {"link_by_email", PC_F_STRING, 0},
    {"trust_mfa", PC_F_BOOL, 0}};
#define NFIELDS (sizeof fields / sizeof *fields)

/* The stored record with the body's members over it; config stays plain here. */
static json_t *merged(const json_t *base, const json_t *body)
{
    json_t *rec = json_deep_copy(base), *v;
    const char *key;

    json_object_foreach ((json_t *)body, key, v)
        json_object_set(rec, key, v);
    return rec;
}

static pc_status write_idp(pc_req *rq, const pc_principal *p, json_t *rec, int create,
                           char *conflict)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    json_t *cols = json_copy(rec);
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    /* the columns an update may not name: they never change */
    json_object_del(cols, "id");
    json_object_del(cols, "tenant_id");
    json_object_del(cols, "kind");
    json_object_del(cols, "created_at");
    if (rc == PC_OK)
        rc = create ? pc_db_insert(tx, PC_ENT_IDENTITY_PROVIDER, rec, conflict, 64)
                    : pc_db_update(tx, PC_ENT_IDENTITY_PROVIDER, rq->tenant->id, id, cols, conflict,
                                   64);
    json_decref(cols);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p,
                          create ? "identity_provider.created" : "identity_provider.updated", id,
                          json_pack("{s:O,s:O}", "name", json_object_get(rec, "name"), "kind",
                                    json_object_get(rec, "kind")));
    return pc_api_finish(tx, rc);
}

/*
 * Validate `rec` (plain config) and store it with its secrets sealed over
 * `stored_config` (NULL when creating); replies in every case.
 */
static void save(pc_req *rq, const pc_principal *p, json_t *rec, const json_t *stored_config,
                 int create)
{
    void *state = NULL;
    const pc_idp_ops *ops = pc_idp_plugin(json_string_value(json_object_get(rec, "kind")), &state);
    json_t *sealed;
    char conflict[64] = "";
    pc_status rc;

    if (ops == NULL) {
        pc_api_invalid_field(rq, "kind", "no identity-provider plugin of this kind is loaded");
        return;
    }
    if (!pc_api_idp_valid(rq, ops, state, rec) || !pc_api_may_touch_idp(rq, p, rec))
        return;
    sealed = pc_idp_config_seal(ops, rq->tenant->id, json_object_get(rec, "config"), stored_config);
    if (sealed == NULL) {
        pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
        return;
    }
    json_object_set_new(rec, "config", sealed);
    json_object_set_new(rec, "updated_at", json_integer(pc_now()));
    rc = write_idp(rq, p, rec, create, conflict);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, create ? 201 : 200, idp_view(rec, NULL));
}

void pc_api_idps_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *base, *rec;
    char id[37];

    if (!pc_api_require(rq, &p, "identity_providers", "create") ||
        (body = pc_api_body(rq, fields, NFIELDS)) == NULL)
        goto out;
    pc_uuid7(id);
    base = json_pack("{s:s,s:s,s:{},s:b,s:b,s:[],s:s,s:b,s:I}", "id", id, "tenant_id",
                     rq->tenant->id, "config", "enabled", 1, "jit", 1, "default_roles",
                     "link_by_email", "never", "trust_mfa", 0, "created_at", (json_int_t)pc_now());
    rec = merged(base, body);
    json_decref(base);
    save(rq, &p, rec, NULL, 1);
    json_decref(rec);
out:
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_idps_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *stored = NULL, *rec = NULL, *plain;

    if (!pc_api_require(rq, &p, "identity_providers", "update") ||
        (body = pc_api_body_patch(rq, fields, NFIELDS)) == NULL ||
        (stored = pc_api_load(rq, PC_ENT_IDENTITY_PROVIDER)) == NULL)
        goto out;
    /* Both the provider as it is and as it will be must be the caller's to touch. */
    if (!pc_api_may_touch_idp(rq, &p, stored))
        goto out;
    if (json_object_get(body, "kind") != NULL &&
        !json_equal(json_object_get(body, "kind"), json_object_get(stored, "kind"))) {
        pc_api_invalid_field(rq, "kind", "cannot be changed: create another provider");
        goto out;
    }
    rec = merged(stored, body);
    if (json_object_get(body, "config") == NULL) {
        /* unchanged config: check it in the clear, secrets included */
        plain = pc_provider_config_open(rq->tenant->id, json_object_get(stored, "config"));
        if (plain == NULL) {
            pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
            goto out;
        }
        json_object_set_new(rec, "config", plain);
    }
    if (pc_api_may_redefine_idp(rq, &p, stored, rec))
        save(rq, &p, rec, json_object_get(stored, "config"), 0);
out:
    json_decref(rec);
    json_decref(stored);
    json_decref(body);
    pc_principal_clear(&p);
}
