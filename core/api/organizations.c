/* SPDX-License-Identifier: Apache-2.0 */
/* /organizations (API.md §18): organizations inside a tenant, with validation, limits and audit. */
#include "api/orgs_api.h"
#include "api/resource.h"
#include "api/users.h"
#include "iam/links.h"
#include "iam/orgs.h"
#include "iam/outrank.h"
#include "oauth2/org_cut.h"
#include "server/store.h"
#include "util/crypto.h"

#include <string.h>

/* Organizations one tenant may hold (AUT-0016 past it). */
#define MAX_ORGS 10000

static json_t *org_view(const json_t *o, void *tenant_id)
{
    (void)tenant_id;
    return json_pack("{s:O,s:O,s:O,s:O,s:o,s:o}", "id", json_object_get(o, "id"), "slug",
                     json_object_get(o, "slug"), "name", json_object_get(o, "name"), "logo_url",
                     json_object_get(o, "logo_url"), "created_at",
                     pc_api_time(json_object_get(o, "created_at")), "updated_at",
                     pc_api_time(json_object_get(o, "updated_at")));
}

static const pc_field org_fields[] = {
    {"slug", PC_F_STRING, 1}, {"name", PC_F_STRING, 1}, {"logo_url", PC_F_NULLABLE_STRING, 0}};
#define NFIELDS (sizeof org_fields / sizeof *org_fields)

/* Every field present is valid; replies 400 naming the first that is not. */
static int valid_fields(pc_req *rq, const json_t *body)
{
    const char *field = NULL, *problem = pc_org_fields_problem(body, &field);

    if (problem != NULL)
        pc_api_invalid_field(rq, field, problem);
    return problem == NULL;
}

json_t *pc_api_org_load(pc_req *rq)
{
    return pc_api_load(rq, PC_ENT_ORGANIZATION);
}

int pc_api_may_touch_org(pc_req *rq, const pc_principal *p, const json_t *org, const char *action)
{
    const char *scope = pc_principal_org(p);
    char perm[64];
    int h;

    if (scope == NULL || strcmp(scope, json_string_value(json_object_get(org, "id"))) == 0)
        return 1;
    snprintf(perm, sizeof perm, "organizations:%s", action);
    h = pc_iam_holds(rq->tenant->id, p->id, perm);
    if (h < 0)
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
    else if (h == 0)
        pc_api_error(rq, PC_API_FORBIDDEN,
                     "A token scoped to another organization cannot act on this one", NULL);
    return h > 0;
}

int pc_api_may_grant_org_roles(pc_req *rq, const pc_principal *p, const json_t *org,
                               const json_t *role_ids)
{
    const char *scope = pc_principal_org(p);
    const char *org_id = json_string_value(json_object_get(org, "id"));
    json_t *id, *role, *perm;
    size_t i, j;
    int h = 1;

    /* The membership's roles count only in the caller's own organization. */
    if (scope != NULL && strcmp(scope, org_id) != 0)
        scope = NULL;
    json_array_foreach (role_ids, i, id) {
        role = NULL;
        if (h > 0 && pc_db_get(NULL, PC_ENT_ROLE, rq->tenant->id, "id", json_string_value(id),
                               &role) == PC_ERR_STORAGE)
            h = -1;
        json_array_foreach (json_object_get(role, "permissions"), j, perm)
            if (h > 0)
                h = pc_iam_holds_in(rq->tenant->id, p->id, scope, json_string_value(perm));
        json_decref(role);
    }
    if (h < 0)
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
    else if (h == 0)
        pc_api_error(rq, PC_API_FORBIDDEN,
                     "A membership role cannot grant a permission the caller does not hold", NULL);
    return h > 0;
}

static int org_room(pc_req *rq)
{
    int64_t n = 0;
    pc_status rc = PC_DB->count(PC_DBS, NULL, PC_ENT_ORGANIZATION, rq->tenant->id, NULL, &n);

    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (n >= MAX_ORGS)
        pc_api_error(rq, PC_API_LIMIT, "Too many organizations in this tenant", NULL);
    return rc == PC_OK && n < MAX_ORGS;
}

static void save(pc_req *rq, const pc_principal *p, const json_t *rec, const json_t *patch,
                 int create)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    char conflict[64] = "";
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = create ? pc_db_insert(tx, PC_ENT_ORGANIZATION, rec, conflict, sizeof conflict)
                    : pc_db_update(tx, PC_ENT_ORGANIZATION, rq->tenant->id, id, patch, conflict,
                                   sizeof conflict);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, create ? "organization.created" : "organization.updated", id,
                          json_pack("{s:O,s:O}", "slug", json_object_get(rec, "slug"), "name",
                                    json_object_get(rec, "name")));
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, create ? 201 : 200, org_view(rec, NULL));
}

void pc_api_orgs_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL;
    json_int_t now = pc_now();
    char id[37];

    if (!pc_api_require(rq, &p, "organizations", "create") ||
        (body = pc_api_body(rq, org_fields, NFIELDS)) == NULL || !valid_fields(rq, body) ||
        !org_room(rq))
        goto out;
    pc_uuid7(id);
    rec =
        json_pack("{s:s,s:s,s:O,s:O,s:O?,s:I,s:I}", "id", id, "tenant_id", rq->tenant->id, "slug",
                  json_object_get(body, "slug"), "name", json_object_get(body, "name"), "logo_url",
                  json_object_get(body, "logo_url"), "created_at", now, "updated_at", now);
    if (json_object_get(rec, "logo_url") == NULL)
        json_object_set_new(rec, "logo_url", json_null());
    save(rq, &p, rec, NULL, 1);
out:
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_orgs_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *org = NULL, *patch = NULL;

    if (!pc_api_require(rq, &p, "organizations", "update") ||
        (body = pc_api_body_patch(rq, org_fields, NFIELDS)) == NULL || !valid_fields(rq, body) ||
        (org = pc_api_org_load(rq)) == NULL || !pc_api_may_touch_org(rq, &p, org, "update"))
        goto out;
    patch = json_deep_copy(body);
    json_object_set_new(patch, "updated_at", json_integer(pc_now()));
    json_object_update(org, patch);
    save(rq, &p, org, patch, 0);
out:
    json_decref(patch);
    json_decref(org);
    json_decref(body);
    pc_principal_clear(&p);
}

/* Every member's organization-scoped tokens stop before the organization goes. */
static pc_status cut_members(pc_store_tx *tx, const pc_tenant *t, const char *org_id)
{
    json_t *filters = json_pack("{s:s}", "organization_id", org_id), *rows = NULL, *m;
    pc_store_query q = {.filters = filters, .limit = 1000};
    pc_status rc = PC_OK;
    char after[40] = "";
    size_t i, n;

    do {
        q.after = *after ? after : NULL;
        rc = pc_db_list(tx, PC_ENT_MEMBERSHIP, t->id, &q, &rows);
        n = rc == PC_OK ? json_array_size(rows) : 0;
        json_array_foreach (rows, i, m) {
            if (rc == PC_OK)
                rc = pc_org_member_cut(tx, t, json_string_value(json_object_get(m, "user_id")),
                                       org_id);
            snprintf(after, sizeof after, "%s", json_string_value(json_object_get(m, "id")));
        }
        json_decref(rows);
        rows = NULL;
    } while (rc == PC_OK && n == q.limit);
    json_decref(filters);
    return rc;
}

void pc_api_orgs_delete(pc_req *rq)
{
    pc_principal p = {0};
    json_t *org = NULL;
    pc_store_tx *tx = NULL;
    const char *id;
    pc_status rc;

    if (!pc_api_require(rq, &p, "organizations", "delete") || (org = pc_api_org_load(rq)) == NULL ||
        !pc_api_may_touch_org(rq, &p, org, "delete"))
        goto out;
    id = json_string_value(json_object_get(org, "id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = cut_members(tx, rq->tenant, id);
    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_ORGANIZATION, rq->tenant->id, id);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "organization.deleted", id,
                          json_pack("{s:O}", "slug", json_object_get(org, "slug")));
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(org);
    pc_principal_clear(&p);
}

int pc_api_orgs_sees_all(pc_req *rq, const pc_principal *p)
{
    int h;

    if (pc_principal_org(p) == NULL)
        return 1;
    h = pc_iam_holds(rq->tenant->id, p->id, "organizations:read");
    if (h < 0)
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
    return h;
}

static void list_own(pc_req *rq, const pc_principal *p)
{
    json_t *org = NULL, *items = json_array();
    pc_status rc =
        pc_db_get(NULL, PC_ENT_ORGANIZATION, rq->tenant->id, "id", pc_principal_org(p), &org);

    if (rc == PC_OK)
        json_array_append_new(items, org_view(org, NULL));
    if (rc != PC_OK && rc != PC_ERR_NOT_FOUND) {
        json_decref(items);
        pc_api_store_error(rq, rc, NULL);
    } else {
        pc_reply_json(rq, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
    }
    json_decref(org);
}

void pc_api_orgs_list(pc_req *rq)
{
    pc_principal p = {0};
    int all;

    if (!pc_api_require(rq, &p, "organizations", "read"))
        return;
    all = pc_api_orgs_sees_all(rq, &p);
    if (all == 0)
        list_own(rq, &p);
    pc_principal_clear(&p);
    if (all > 0)
        pc_api_list(rq, PC_ENT_ORGANIZATION, "organizations", org_view);
}

void pc_api_orgs_get(pc_req *rq)
{
    pc_principal p = {0};
    json_t *org = NULL;

    if (pc_api_require(rq, &p, "organizations", "read") && (org = pc_api_org_load(rq)) != NULL &&
        pc_api_may_touch_org(rq, &p, org, "read"))
        pc_reply_json(rq, 200, org_view(org, NULL));
    json_decref(org);
    pc_principal_clear(&p);
}
