/* SPDX-License-Identifier: Apache-2.0 */
/* /organizations/{id}/members, /users/{id}/organizations and /me/organizations (API.md §18): memberships with their roles. */
#include "api/orgs_api.h"
#include "api/users.h"
#include "iam/links.h"
#include "iam/orgs.h"
#include "oauth2/org_cut.h"
#include "server/store.h"
#include "util/crypto.h"

#include <string.h>

/* A membership with the user's name and its roles' names (new); NULL when the store fails. */
static json_t *member_view(const json_t *m, void *tenant_id)
{
    json_t *u = NULL, *roles = NULL, *out = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_USER, tenant_id, "id",
                             json_string_value(json_object_get(m, "user_id")), &u);

    if (rc == PC_OK || rc == PC_ERR_NOT_FOUND)
        rc = pc_org_role_names_get(tenant_id, json_object_get(m, "roles"), &roles);
    if (rc == PC_OK)
        out = json_pack("{s:O,s:O,s:O}", "user_id", json_object_get(m, "user_id"), "username",
                        u ? json_object_get(u, "username") : json_null(), "roles", roles);
    json_decref(roles);
    json_decref(u);
    return out;
}

void pc_api_orgs_members_list(pc_req *rq)
{
    pc_principal p = {0};
    json_t *org = NULL, *filters = NULL, *rows = NULL;
    const char *cursor;
    unsigned limit;
    pc_store_query q;
    pc_status rc;

    if (!pc_api_require(rq, &p, "organizations", "read") || !pc_api_page(rq, &limit, &cursor) ||
        (org = pc_api_org_load(rq)) == NULL || !pc_api_may_touch_org(rq, &p, org, "read"))
        goto out;
    filters = json_pack("{s:O}", "organization_id", json_object_get(org, "id"));
    q = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1};
    rc = pc_db_list(NULL, PC_ENT_MEMBERSHIP, rq->tenant->id, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, member_view, rq->tenant->id);
out:
    json_decref(filters);
    json_decref(org);
    pc_principal_clear(&p);
}

/* The live user named by the path's :user_id (new), or NULL after replying 404. */
static json_t *target_user(pc_req *rq)
{
    json_t *u = NULL;
    pc_status rc =
        pc_db_get(NULL, PC_ENT_USER, rq->tenant->id, "id", pc_req_param(rq, "user_id"), &u);

    if (rc == PC_OK && !json_is_null(json_object_get(u, "deleted_at")))
        rc = PC_ERR_NOT_FOUND;
    if (rc != PC_OK) {
        json_decref(u);
        pc_api_store_error(rq, rc, NULL);
        return NULL;
    }
    return u;
}

/* Role names to ids; replies 400 naming unknown ones, or AUT-0016 past the limit. */
static json_t *role_ids_of(pc_req *rq, const json_t *names)
{
    json_t *ids = NULL, *unknown = NULL;
    pc_status rc = pc_org_role_ids(rq->tenant->id, names, &ids, &unknown);

    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (json_object_size(unknown) > 0)
        pc_api_error(rq, PC_API_INVALID, "Unknown role names", json_incref(unknown));
    else if ((int64_t)json_array_size(ids) > rq->tenant->max_roles_per_user)
        pc_api_error(rq, PC_API_LIMIT, "Too many roles for one membership",
                     json_pack("{s:s}", "roles", "limit exceeded"));
    else
        rc = PC_ERR_NOT_FOUND; /* all good */
    json_decref(unknown);
    if (rc != PC_ERR_NOT_FOUND) {
        json_decref(ids);
        return NULL;
    }
    return ids;
}

/* Room for one more membership of this user (AUT-0016). */
static int membership_room(pc_req *rq, const char *user_id)
{
    int64_t n = 0;
    json_t *filters = json_pack("{s:s}", "user_id", user_id);
    pc_status rc = PC_DB->count(PC_DBS, NULL, PC_ENT_MEMBERSHIP, rq->tenant->id, filters, &n);

    json_decref(filters);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (n >= PC_ORG_MAX_PER_USER)
        pc_api_error(rq, PC_API_LIMIT, "Too many organizations for one user", NULL);
    return rc == PC_OK && n < PC_ORG_MAX_PER_USER;
}

static pc_status write_member(pc_store_tx *tx, pc_req *rq, const json_t *org, const char *uid,
                              const json_t *existing, const json_t *ids)
{
    json_int_t now = pc_now();
    char id[37];
    json_t *rec;
    pc_status rc;

    if (existing != NULL) {
        rec = json_pack("{s:O,s:I}", "roles", ids, "updated_at", now);
        rc = pc_db_update(tx, PC_ENT_MEMBERSHIP, rq->tenant->id,
                          json_string_value(json_object_get(existing, "id")), rec, NULL, 0);
    } else {
        pc_uuid7(id);
        rec = json_pack("{s:s,s:s,s:O,s:s,s:O,s:I,s:I}", "id", id, "tenant_id", rq->tenant->id,
                        "organization_id", json_object_get(org, "id"), "user_id", uid, "roles", ids,
                        "created_at", now, "updated_at", now);
        rc = pc_db_insert(tx, PC_ENT_MEMBERSHIP, rec, NULL, 0);
    }
    json_decref(rec);
    return rc;
}

static void put_member(pc_req *rq, pc_principal *p, const json_t *org, const char *uid,
                       const json_t *existing, const json_t *body)
{
    json_t *ids = role_ids_of(rq, json_object_get(body, "roles"));
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (ids == NULL || !pc_api_may_grant_org_roles(rq, p, org, ids) ||
        (existing == NULL && !membership_room(rq, uid)))
        goto out;
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = write_member(tx, rq, org, uid, existing, ids);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(
            tx, rq, p, existing ? "member.updated" : "member.added",
            json_string_value(json_object_get(org, "id")),
            json_pack("{s:s,s:O}", "user_id", uid, "roles", json_object_get(body, "roles")));
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(ids);
}

static const pc_field member_fields[] = {{"roles", PC_F_STRINGS, 1}};

void pc_api_orgs_member_put(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *org = NULL, *u = NULL, *m = NULL;
    const char *uid;
    pc_status rc;

    if (!pc_api_require(rq, &p, "organizations", "update") ||
        (body = pc_api_body(rq, member_fields, 1)) == NULL || (org = pc_api_org_load(rq)) == NULL ||
        !pc_api_may_touch_org(rq, &p, org, "update") || (u = target_user(rq)) == NULL)
        goto out;
    uid = json_string_value(json_object_get(u, "id"));
    rc = pc_org_membership(NULL, rq->tenant->id, json_string_value(json_object_get(org, "id")), uid,
                           &m);
    if (rc == PC_ERR_STORAGE)
        pc_api_store_error(rq, rc, NULL);
    /* Changing a membership: the caller must hold what it grants now, too. */
    else if (m == NULL || pc_api_may_grant_org_roles(rq, &p, org, json_object_get(m, "roles")))
        put_member(rq, &p, org, uid, m, body);
out:
    json_decref(m);
    json_decref(u);
    json_decref(org);
    json_decref(body);
    pc_principal_clear(&p);
}

static void remove_member(pc_req *rq, const pc_principal *p, const json_t *org, const json_t *m)
{
    const char *uid = json_string_value(json_object_get(m, "user_id"));
    const char *oid = json_string_value(json_object_get(org, "id"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_MEMBERSHIP, rq->tenant->id,
                          json_string_value(json_object_get(m, "id")));
    /* API.md §18: that organization's tokens of the user stop at once, on every node. */
    if (rc == PC_OK)
        rc = pc_org_member_cut(tx, rq->tenant, uid, oid);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "member.removed", oid, json_pack("{s:s}", "user_id", uid));
    pc_api_finish_204(rq, tx, rc);
}

void pc_api_orgs_member_delete(pc_req *rq)
{
    pc_principal p = {0};
    json_t *org = NULL, *m = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "organizations", "update") || (org = pc_api_org_load(rq)) == NULL ||
        !pc_api_may_touch_org(rq, &p, org, "update"))
        goto out;
    rc = pc_org_membership(NULL, rq->tenant->id, json_string_value(json_object_get(org, "id")),
                           pc_req_param(rq, "user_id"), &m);
    if (rc == PC_ERR_NOT_FOUND)
        pc_api_error(rq, PC_API_NOT_FOUND, "The user is not a member of this organization", NULL);
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    /* A member holding more than the caller cannot be removed by it. */
    else if (pc_api_may_grant_org_roles(rq, &p, org, json_object_get(m, "roles")))
        remove_member(rq, &p, org, m);
out:
    json_decref(m);
    json_decref(org);
    pc_principal_clear(&p);
}

void pc_api_me_orgs(pc_req *rq)
{
    pc_principal p = {0};
    json_t *items = NULL;
    pc_status rc = PC_OK;

    if (!pc_api_authenticate(rq, &p))
        return;
    if (p.is_user)
        rc = pc_org_of_user(rq->tenant->id, p.id, &items);
    else
        items = json_array();
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 200, json_pack("{s:o}", "items", items));
    pc_principal_clear(&p);
}

/* The membership roles of `org` (an item of pc_org_of_user) added to it as role names. */
static pc_status add_roles(const char *tenant_id, const char *user_id, json_t *org)
{
    json_t *m = NULL, *names = NULL;
    pc_status rc = pc_org_membership(NULL, tenant_id, json_string_value(json_object_get(org, "id")),
                                     user_id, &m);

    if (rc == PC_OK)
        rc = pc_org_role_names_get(tenant_id, json_object_get(m, "roles"), &names);
    if (rc == PC_OK)
        json_object_set(org, "roles", names);
    json_decref(names);
    json_decref(m);
    return rc;
}

/* One user's organizations with the membership roles; only the caller's own one when its
 * token is scoped to an organization and it may not read the others (the second question). */
static pc_status user_orgs(pc_req *rq, const char *user_id, const char *only, json_t **out)
{
    json_t *items = NULL, *org;
    pc_status rc = pc_org_of_user(rq->tenant->id, user_id, &items), one;
    size_t i;

    *out = json_array();
    json_array_foreach (items, i, org) {
        if (rc != PC_OK ||
            (only != NULL && strcmp(only, json_string_value(json_object_get(org, "id"))) != 0))
            continue;
        one = add_roles(rq->tenant->id, user_id, org);
        if (one == PC_OK)
            json_array_append(*out, org);
        else if (one != PC_ERR_NOT_FOUND) /* not found: a membership removed meanwhile */
            rc = one;
    }
    json_decref(items);
    return rc;
}

void pc_api_users_orgs_list(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL, *items = NULL;
    int all;
    pc_status rc;

    if (!pc_api_require(rq, &p, "organizations", "read") || (u = pc_api_user_load(rq)) == NULL ||
        (all = pc_api_orgs_sees_all(rq, &p)) < 0)
        goto out;
    rc = user_orgs(rq, json_string_value(json_object_get(u, "id")),
                   all ? NULL : pc_principal_org(&p), &items);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 200, json_pack("{s:O}", "items", items));
out:
    json_decref(items);
    json_decref(u);
    pc_principal_clear(&p);
}
