/* SPDX-License-Identifier: Apache-2.0 */
/* GET/PATCH /tenant: the caller's own tenant and its settings (API.md §13), applied on every node. */
#include "api/users.h"
#include "iam/tenant_settings.h"
#include "oauth2/changes.h"
#include "server/store.h"

#include <string.h>

#define MAX_NAME 256

static json_t *tenant_view(const json_t *rec)
{
    return json_pack("{s:O,s:O,s:o}", "slug", json_object_get(rec, "slug"), "name",
                     json_object_get(rec, "name"), "settings",
                     pc_tenant_settings_view(json_object_get(rec, "settings")));
}

static json_t *load(pc_req *rq)
{
    json_t *rec = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_TENANT, NULL, "id", rq->tenant->id, &rec);

    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    return rc == PC_OK ? rec : NULL;
}

void pc_api_tenant_get(pc_req *rq)
{
    pc_principal p = {0};
    json_t *rec;

    if (pc_api_require(rq, &p, "tenant", "read") && (rec = load(rq)) != NULL) {
        pc_reply_json(rq, 200, tenant_view(rec));
        json_decref(rec);
    }
    pc_principal_clear(&p);
}

static const pc_field tenant_fields[] = {{"name", PC_F_STRING, 0}, {"settings", PC_F_OBJECT, 0}};

/* The columns a valid body changes (new), or NULL after replying 400. */
static json_t *changes_of(pc_req *rq, const json_t *rec, const json_t *body)
{
    const char *name = json_string_value(json_object_get(body, "name"));
    json_t *bad = json_object(), *unknown = json_object(), *settings = NULL, *cols = NULL;

    if (name != NULL && (*name == '\0' || strlen(name) > MAX_NAME))
        json_object_set_new(bad, "name", json_string("must be 1 to 256 characters"));
    if (json_object_get(body, "settings") != NULL)
        settings = pc_tenant_settings_apply(json_object_get(rec, "settings"),
                                            json_object_get(body, "settings"), bad, unknown);
    if (json_object_size(unknown) > 0)
        pc_api_error(rq, PC_API_UNEXPECTED_FIELDS, "Unknown settings", json_incref(unknown));
    else if (json_object_size(bad) > 0)
        pc_api_error(rq, PC_API_INVALID, "Settings have invalid values", json_incref(bad));
    else {
        cols = json_object();
        if (name != NULL)
            json_object_set_new(cols, "name", json_string(name));
        if (settings != NULL)
            json_object_set(cols, "settings", settings);
    }
    json_decref(settings);
    json_decref(bad);
    json_decref(unknown);
    return cols;
}

/* Write, audit, and tell every node (the "tenant" entry drops its cached view). */
static pc_status save(pc_req *rq, const pc_principal *p, const json_t *cols, const json_t *body)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK && json_object_size(cols) > 0)
        rc = pc_db_update(tx, PC_ENT_TENANT, NULL, rq->tenant->id, cols, NULL, 0);
    if (rc == PC_OK)
        rc = pc_change_write(tx, rq->tenant->id, "tenant", rq->tenant->id, pc_now() + 86400);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "tenant.updated", rq->tenant->id,
                          json_pack("{s:O}", "fields", body));
    return pc_api_finish(tx, rc);
}

void pc_api_tenant_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *cols = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "tenant", "update") ||
        (body = pc_api_body_patch(rq, tenant_fields, 2)) == NULL || (rec = load(rq)) == NULL ||
        (cols = changes_of(rq, rec, body)) == NULL)
        goto out;
    rc = save(rq, &p, cols, body);
    json_decref(rec);
    rec = NULL;
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if ((rec = load(rq)) != NULL)
        pc_reply_json(rq, 200, tenant_view(rec));
out:
    json_decref(cols);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}
