/* SPDX-License-Identifier: Apache-2.0 */
/* Linked external identities (API.md §14): list and unlink, for a user or oneself; the login page's providers. */
#include "api/escalation.h"
#include "api/users.h"
#include "iam/idp.h"
#include "server/store.h"

#include <string.h>

#define MAX_LISTED 200

/* {"items":[...]} with RFC 3339 times, or 503 when the store cannot tell. */
static void reply_identities(pc_req *rq, const char *user_id)
{
    json_t *items = pc_api_identities_view(rq->tenant->id, user_id);

    pc_api_reply_view(rq, 200, items ? json_pack("{s:o}", "items", items) : NULL);
}

/* Unlink, refusing the last way to sign in (400 AUT-0009), audited identity.unlinked. */
static void unlink_identity(pc_req *rq, const pc_principal *p, const json_t *user)
{
    const char *provider = pc_req_param(rq, "provider");
    char identity_id[37] = "";
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_idp_unlink(tx, rq->tenant->id, user, provider, identity_id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "identity.unlinked",
                          json_string_value(json_object_get(user, "id")),
                          json_pack("{s:s}", "provider", provider));
    if (rc == PC_ERR_DENIED) {
        pc_api_finish(tx, rc);
        pc_api_error(rq, PC_API_INVALID,
                     "This is the last way to sign in: set a password or link another "
                     "identity first",
                     json_pack("{s:s}", "provider", "last way to sign in"));
        return;
    }
    pc_api_finish_204(rq, tx, rc);
}

void pc_api_users_identities_list(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL;

    if (pc_api_require(rq, &p, "users", "read") && (u = pc_api_user_load(rq)) != NULL)
        reply_identities(rq, json_string_value(json_object_get(u, "id")));
    json_decref(u);
    pc_principal_clear(&p);
}

void pc_api_users_identities_delete(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL;

    if (pc_api_require(rq, &p, "users", "update") && (u = pc_api_user_load(rq)) != NULL &&
        pc_api_may_touch(rq, &p, PC_ENT_USER, u))
        unlink_identity(rq, &p, u);
    json_decref(u);
    pc_principal_clear(&p);
}

/* The caller's own user record, or 0 after replying (applications have no identities). */
static int own_user(pc_req *rq, pc_principal *p)
{
    if (!pc_api_authenticate(rq, p))
        return 0;
    if (!p->is_user) {
        pc_api_error(rq, PC_API_NOT_FOUND, "Applications have no linked identities", NULL);
        return 0;
    }
    return 1;
}

void pc_api_me_identities_list(pc_req *rq)
{
    pc_principal p = {0};

    if (own_user(rq, &p))
        reply_identities(rq, p.id);
    pc_principal_clear(&p);
}

void pc_api_me_identities_delete(pc_req *rq)
{
    pc_principal p = {0};

    if (own_user(rq, &p))
        unlink_identity(rq, &p, p.record);
    pc_principal_clear(&p);
}

/* GET /auth/providers (anyone): the enabled redirect providers, for login pages. */
void pc_api_auth_providers(pc_req *rq)
{
    json_t *filters = json_pack("{s:b}", "enabled", 1), *rows = NULL, *items = json_array(), *r;
    pc_store_query q = {.filters = filters, .after = NULL, .limit = MAX_LISTED, .descending = 0};
    pc_status rc = pc_db_list(NULL, PC_ENT_IDENTITY_PROVIDER, rq->tenant->id, &q, &rows);
    size_t i;

    json_decref(filters);
    if (rc != PC_OK) {
        json_decref(items);
        pc_api_store_error(rq, rc, NULL);
        return;
    }
    json_array_foreach (rows, i, r) {
        /* the plugin's describe() says whether it is a redirect provider */
        json_t *d = pc_idp_describe(rq->tenant->id, r);
        const char *method = json_string_value(json_object_get(d, "method"));
        if (method != NULL && strcmp(method, "redirect") == 0)
            json_array_append_new(
                items, json_pack("{s:O,s:O,s:O,s:O,s:O*}", "name", json_object_get(r, "name"),
                                 "display_name", json_object_get(r, "display_name"), "kind",
                                 json_object_get(r, "kind"), "label", json_object_get(d, "label"),
                                 "icon", json_object_get(d, "icon")));
        json_decref(d);
    }
    json_decref(rows);
    pc_reply_json(rq, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}
