/* SPDX-License-Identifier: Apache-2.0 */
/* /tenants: platform administration, in the default tenant only (API.md §3). */
#include "api/users.h"
#include "iam/audit.h"
#include "oauth2/changes.h"
#include "server/bootstrap.h"
#include "server/console_app.h"
#include "server/store.h"
#include "util/mem.h"
#include "util/password.h"

#include <stdlib.h>
#include <string.h>

/* Tenants are administered from the platform tenant; elsewhere the paths do not exist. */
static int platform_admin(pc_req *rq, pc_principal *p, const char *action)
{
    if (strcmp(rq->tenant->slug, PC_TENANT_DEFAULT) != 0) {
        pc_api_error(rq, PC_API_NOT_FOUND, "Tenants are administered from the default tenant",
                     NULL);
        return 0;
    }
    return pc_api_require(rq, p, "tenants", action);
}

static json_t *tenant_view(const json_t *t, void *ctx)
{
    const char *slug = json_string_value(json_object_get(t, "slug"));
    char *issuer = pc_asprintf("%s/t/%s", pc_srv->cfg.public_url, slug);
    json_t *v = json_pack("{s:O,s:s,s:O,s:s,s:o}", "id", json_object_get(t, "id"), "slug", slug,
                          "name", json_object_get(t, "name"), "issuer", issuer, "created_at",
                          pc_api_time(json_object_get(t, "created_at")));

    (void)ctx;
    free(issuer);
    return v;
}

void pc_api_tenants_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor;
    json_t *rows = NULL;
    pc_store_query q;
    pc_status rc;

    if (!platform_admin(rq, &p, "read") || !pc_api_page(rq, &limit, &cursor))
        goto out;
    q = (pc_store_query){.after = cursor, .limit = limit + 1};
    rc = pc_db_list(NULL, PC_ENT_TENANT, NULL, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, tenant_view, NULL);
out:
    pc_principal_clear(&p);
}

static const pc_field tenant_fields[] = {
    {"slug", PC_F_STRING, 1}, {"name", PC_F_STRING, 0}, {"admin", PC_F_OBJECT, 1}};
static const pc_field admin_fields[] = {
    {"username", PC_F_STRING, 1}, {"password", PC_F_STRING, 1}, {"email", PC_F_STRING, 0}};

/* The nested admin object, checked like a body: unknown (AUT-0003), missing
 * (AUT-0001), then invalid (AUT-0009), named under "admin". */
static int admin_problem(pc_req *rq, pc_api_code code, const char *message, json_t *bad)
{
    if (json_object_size(bad) == 0) {
        json_decref(bad);
        return 0;
    }
    pc_api_error(rq, code, message, json_pack("{s:o}", "admin", bad));
    return 1;
}

static int valid_admin(pc_req *rq, const json_t *admin)
{
    const char *key, *problem;
    json_t *v, *unknown = json_object(), *missing = json_object(), *invalid = json_object();

    json_object_foreach ((json_t *)admin, key, v) {
        size_t i;
        for (i = 0; i < 3 && strcmp(admin_fields[i].name, key) != 0; i++)
            ;
        if (i == 3)
            json_object_set_new(unknown, key, json_string("unexpected"));
        else if (!json_is_string(v))
            json_object_set_new(invalid, key, json_string("must be a string"));
    }
    for (size_t i = 0; i < 2; i++)
        if (json_object_get(admin, admin_fields[i].name) == NULL)
            json_object_set_new(missing, admin_fields[i].name, json_string("required"));
    if (json_object_size(invalid) == 0 && json_object_size(missing) == 0 &&
        (problem = pc_password_problem(json_string_value(json_object_get(admin, "password")))) !=
            NULL)
        json_object_set_new(invalid, "password", json_string(problem));
    if (admin_problem(rq, PC_API_UNEXPECTED_FIELDS, "The admin object has unexpected fields",
                      unknown)) {
        json_decref(missing);
        json_decref(invalid);
        return 0;
    }
    if (admin_problem(rq, PC_API_MISSING_FIELDS, "The admin object lacks required fields",
                      missing)) {
        json_decref(invalid);
        return 0;
    }
    return !admin_problem(rq, PC_API_INVALID, "The admin object is not valid", invalid);
}

static pc_status create_tenant(pc_req *rq, const pc_principal *p, const json_t *body, json_t **rec,
                               char **secret)
{
    const json_t *admin = json_object_get(body, "admin");
    const char *slug = json_string_value(json_object_get(body, "slug"));
    const char *name = json_string_value(json_object_get(body, "name"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_tenant_create(tx, slug, name, rec);
    if (rc == PC_OK)
        rc = pc_bootstrap_tenant_admins(tx, json_string_value(json_object_get(*rec, "id")),
                                        json_string_value(json_object_get(admin, "username")),
                                        json_string_value(json_object_get(admin, "password")),
                                        json_string_value(json_object_get(admin, "email")), NULL,
                                        secret);
    if (rc == PC_OK)
        rc = pc_console_app_ensure(tx, json_string_value(json_object_get(*rec, "id")), slug);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "tenant.created",
                          json_string_value(json_object_get(*rec, "id")),
                          json_pack("{s:s}", "slug", slug));
    return pc_api_finish(tx, rc);
}

void pc_api_tenants_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *view;
    char *secret = NULL;
    pc_status rc;

    if (!platform_admin(rq, &p, "create") || (body = pc_api_body(rq, tenant_fields, 3)) == NULL ||
        !valid_admin(rq, json_object_get(body, "admin")))
        goto out;
    if (!pc_tenant_slug_valid(json_string_value(json_object_get(body, "slug")))) {
        pc_api_invalid_field(rq, "slug", "must match ^[a-z0-9][a-z0-9-]{0,62}$");
        goto out;
    }
    rc = create_tenant(rq, &p, body, &rec, &secret);
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, rc == PC_ERR_CONFLICT ? "slug" : NULL);
        goto out;
    }
    view = tenant_view(rec, NULL);
    json_object_set_new(view, "admin_client",
                        json_pack("{s:s,s:s}", "client_id", "admin-cli", "client_secret", secret));
    pc_reply_json(rq, 201, view);
out:
    pc_free_secret(secret);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_tenants_delete(pc_req *rq)
{
    pc_principal p = {0};
    json_t *t = NULL;
    const char *slug = pc_req_param(rq, "slug"), *id;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!platform_admin(rq, &p, "delete"))
        goto out;
    if (strcmp(slug, PC_TENANT_DEFAULT) == 0) {
        pc_api_invalid_field(rq, "slug", "the default tenant cannot be deleted");
        goto out;
    }
    if ((rc = pc_db_get(NULL, PC_ENT_TENANT, NULL, "slug", slug, &t)) != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
        goto out;
    }
    id = json_string_value(json_object_get(t, "id"));
    rc = pc_db_begin(&tx);
    /* Everything in the tenant goes with it (foreign keys cascade). */
    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_TENANT, NULL, id);
    if (rc == PC_OK)
        rc = pc_change_write(tx, id, "tenant", id, pc_now() + 86400);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "tenant.deleted", id, json_pack("{s:s}", "slug", slug));
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(t);
    pc_principal_clear(&p);
}
