/* SPDX-License-Identifier: Apache-2.0 */
/* /applications/{id}/providers and /default-providers: which delivery providers an application uses. */
#include "api/applications.h"
#include "api/provider_trust.h"
#include "api/users.h"
#include "oauth2/changes.h"
#include "server/store.h"

#include <string.h>

/* The provider of :provider_id in this tenant; replies 404 if there is none. */
static int load_provider(pc_req *rq, json_t **provider)
{
    pc_status rc = pc_db_get(NULL, PC_ENT_PROVIDER, rq->tenant->id, "id",
                             pc_req_param(rq, "provider_id"), provider);

    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    return rc == PC_OK;
}

/* Every node drops its cached copy of the application when this commits. */
static pc_status app_changed(pc_store_tx *tx, const pc_req *rq, const json_t *app)
{
    return pc_change_write(tx, rq->tenant->id, "app",
                           json_string_value(json_object_get(app, "client_id")), pc_now() + 3600);
}

/* default_providers without the entries naming `provider_id` (new). */
static json_t *defaults_without(const json_t *app, const char *provider_id)
{
    json_t *d = json_object_get(app, "default_providers"), *out = json_object(), *v;
    const char *kind;

    json_object_foreach (json_is_object(d) ? d : NULL, kind, v)
        if (json_is_string(v) && strcmp(json_string_value(v), provider_id) != 0)
            json_object_set(out, kind, v);
    return out;
}

static void change_link(pc_req *rq, int add)
{
    pc_principal p = {0};
    json_t *app = NULL, *provider = NULL, *patch = NULL;
    const char *app_id, *pid;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_app_authorised(rq, &p, "update", &app) ||
        !pc_api_may_route_app_codes(rq, &p, app) || !load_provider(rq, &provider))
        goto out;
    app_id = json_string_value(json_object_get(app, "id"));
    pid = json_string_value(json_object_get(provider, "id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc =
            add ? PC_DB->link_add(PC_DBS, tx, PC_LINK_APP_PROVIDER, rq->tenant->id, app_id, pid)
                : PC_DB->link_remove(PC_DBS, tx, PC_LINK_APP_PROVIDER, rq->tenant->id, app_id, pid);
    /* An unlinked provider is no longer the application's default either. */
    if (rc == PC_OK && !add) {
        patch = json_pack("{s:o}", "default_providers", defaults_without(app, pid));
        rc = pc_db_update(tx, PC_ENT_APPLICATION, rq->tenant->id, app_id, patch, NULL, 0);
    }
    if (rc == PC_OK)
        rc = app_changed(tx, rq, app);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p,
                          add ? "application.provider_linked" : "application.provider_unlinked",
                          app_id, json_pack("{s:s}", "provider", pid));
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(patch);
    json_decref(app);
    json_decref(provider);
    pc_principal_clear(&p);
}

void pc_api_apps_provider_link(pc_req *rq)
{
    change_link(rq, 1);
}

void pc_api_apps_provider_unlink(pc_req *rq)
{
    change_link(rq, 0);
}

static const pc_field default_fields[] = {{"email", PC_F_NULLABLE_STRING, 0},
                                          {"sms", PC_F_NULLABLE_STRING, 0}};

/* Each named provider exists and is of the kind it is named for; replies 400 if not. */
static int defaults_valid(pc_req *rq, const json_t *body)
{
    const char *kind;
    json_t *v, *prov = NULL;

    json_object_foreach ((json_t *)body, kind, v) {
        if (json_is_null(v))
            continue;
        if (pc_db_get(NULL, PC_ENT_PROVIDER, rq->tenant->id, "id", json_string_value(v), &prov) !=
                PC_OK ||
            strcmp(json_string_value(json_object_get(prov, "kind")), kind) != 0) {
            json_decref(prov);
            pc_api_invalid_field(rq, kind, "must be the id of a provider of this kind");
            return 0;
        }
        json_decref(prov);
        prov = NULL;
    }
    return 1;
}

static pc_status save_defaults(pc_req *rq, const pc_principal *p, const json_t *app,
                               const json_t *body)
{
    const char *app_id = json_string_value(json_object_get(app, "id")), *kind;
    json_t *defaults = json_object(), *v, *patch;
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    json_object_foreach ((json_t *)body, kind, v) {
        if (json_is_null(v))
            continue;
        json_object_set(defaults, kind, v);
        /* A default is also a linked provider. */
        if (rc == PC_OK)
            rc = PC_DB->link_add(PC_DBS, tx, PC_LINK_APP_PROVIDER, rq->tenant->id, app_id,
                                 json_string_value(v));
    }
    patch = json_pack("{s:o}", "default_providers", defaults);
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_APPLICATION, rq->tenant->id, app_id, patch, NULL, 0);
    json_decref(patch);
    if (rc == PC_OK)
        rc = app_changed(tx, rq, app);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "application.default_providers_set", app_id,
                          json_deep_copy(body));
    return pc_api_finish(tx, rc);
}

void pc_api_apps_default_providers(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *app = NULL;

    if (!pc_api_app_authorised(rq, &p, "update", &app) ||
        !pc_api_may_route_app_codes(rq, &p, app) ||
        (body = pc_api_body(rq, default_fields, sizeof default_fields / sizeof *default_fields)) ==
            NULL)
        goto out;
    if (defaults_valid(rq, body))
        pc_api_finish_204(rq, NULL, save_defaults(rq, &p, app, body));
out:
    json_decref(app);
    json_decref(body);
    pc_principal_clear(&p);
}
