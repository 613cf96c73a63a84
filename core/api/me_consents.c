/* SPDX-License-Identifier: Apache-2.0 */
/* /me/consents (API.md §19): the applications a person allowed, and withdrawing that. */
#include "api/users.h"
#include "oauth2/consent.h"
#include "server/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* What an application's token is told here (403): only a person calls these. */
#define APPS_REFUSED "Only a person gives consent"

static json_t *scope_array(const char *scope)
{
    char *copy = pc_strdup(scope ? scope : ""), *item, *save = NULL;
    json_t *a = json_array();

    for (item = strtok_r(copy, " ", &save); item; item = strtok_r(NULL, " ", &save))
        json_array_append_new(a, json_string(item));
    free(copy);
    return a;
}

/*
 * {"client_id","name","scopes","granted_at"}; name is null once the application is gone.
 * NULL when the store cannot tell.
 */
static json_t *consent_view(const pc_tenant *t, const json_t *rec)
{
    const char *client_id = json_string_value(json_object_get(rec, "client_id"));
    json_t *app = NULL, *v;
    pc_status rc = pc_db_get(NULL, PC_ENT_APPLICATION, t->id, "client_id", client_id, &app);

    if (rc != PC_OK && rc != PC_ERR_NOT_FOUND)
        return NULL;
    v = json_pack("{s:s,s:O,s:o,s:o}", "client_id", client_id, "name",
                  app ? json_object_get(app, "name") : json_null(), "scopes",
                  scope_array(json_string_value(json_object_get(rec, "scope"))), "granted_at",
                  pc_api_time(json_object_get(rec, "updated_at")));
    json_decref(app);
    return v;
}

void pc_api_me_consents_list(pc_req *rq)
{
    pc_principal p = {0};
    json_t *rows = NULL, *items, *r, *v;
    size_t i;
    pc_status rc;

    if (!pc_api_authenticate_user(rq, &p, APPS_REFUSED))
        return;
    rc = pc_consent_list(rq->tenant, p.id, &rows);
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
        goto out;
    }
    items = json_array();
    json_array_foreach (rows, i, r) {
        if ((v = consent_view(rq->tenant, r)) == NULL) {
            json_decref(items);
            items = NULL;
            break;
        }
        json_array_append_new(items, v);
    }
    pc_api_reply_view(rq, 200, items ? json_pack("{s:o}", "items", items) : NULL);
out:
    json_decref(rows);
    pc_principal_clear(&p);
}

void pc_api_me_consents_get(pc_req *rq)
{
    pc_principal p = {0};
    json_t *rec = NULL;
    pc_status rc;

    if (!pc_api_authenticate_user(rq, &p, APPS_REFUSED))
        return;
    rc = pc_consent_get(rq->tenant, p.id, pc_req_param(rq, "client_id"), &rec);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_view(rq, 200, consent_view(rq->tenant, rec));
    json_decref(rec);
    pc_principal_clear(&p);
}

/*
 * The next authorization request of that application asks the person again,
 * and what it holds of the person's through refresh tokens ends now.
 */
void pc_api_me_consents_delete(pc_req *rq)
{
    pc_principal p = {0};
    const char *client_id = pc_req_param(rq, "client_id");
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_authenticate_user(rq, &p, APPS_REFUSED))
        return;
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_consent_revoke(tx, rq->tenant, p.id, client_id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "consent.revoked", p.id,
                          json_pack("{s:s}", "client_id", client_id));
    rc = pc_api_finish(tx, rc);
    if (rc == PC_OK)
        rc = pc_consent_revoke_grants(rq->tenant, p.id, client_id);
    if (rc == PC_OK)
        pc_reply_empty(rq, 204);
    else
        pc_api_store_error(rq, rc, NULL);
    pc_principal_clear(&p);
}
