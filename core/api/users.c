/* SPDX-License-Identifier: Apache-2.0 */
/* /users: the user view, list with its filters, get. */
#include "api/escalation.h"
#include "api/users.h"
#include "api/users_page.h"
#include "iam/idp.h"
#include "iam/audit.h"
#include "iam/links.h"
#include "iam/mfa.h"
#include "iam/users.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"
#include "util/password.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Has the user an enabled second factor (recovery codes alone are not one)? -1: the store failed. */
static int mfa_enabled(const char *tenant_id, const char *user_id)
{
    json_t *filters = json_pack("{s:s,s:s}", "user_id", user_id, "state", PC_MFA_ACTIVE),
           *rows = NULL, *f;
    pc_store_query q = {.filters = filters, .limit = 16};
    size_t i;
    int on = 0;

    if (pc_db_list(NULL, PC_ENT_MFA, tenant_id, &q, &rows) != PC_OK)
        on = -1;
    else
        json_array_foreach (rows, i, f)
            on |= strcmp(json_string_value(json_object_get(f, "method")), PC_MFA_RECOVERY) != 0;
    json_decref(rows);
    json_decref(filters);
    return on;
}

/* Linked identities (API.md §14) as the view shows them; `items` is taken, NULL stays NULL. */
static json_t *identities_shown(json_t *items)
{
    json_t *v;
    size_t i;

    json_array_foreach (items, i, v)
        json_object_set_new(v, "linked_at", pc_api_time(json_object_get(v, "linked_at")));
    return items;
}

json_t *pc_api_identities_view(const char *tenant_id, const char *user_id)
{
    return identities_shown(pc_idp_identities_of(tenant_id, user_id));
}

/* The page's array for user `id` (new reference), or []. */
static json_t *page_fact(const json_t *map, const char *id)
{
    json_t *v = json_object_get(map, id);

    return v ? json_incref(v) : json_array();
}

/* What the view shows beside the record (groups, roles, identities, second factor), from
 * the page `pg` when it has them; 0 when the store cannot tell (never a partial view). */
static int user_links(json_t *v, const char *tenant_id, const char *id, const pc_user_page *pg)
{
    json_t *groups = NULL, *roles = NULL, *identities = NULL;
    int mfa = -1;

    if (pg != NULL) {
        groups = page_fact(pg->groups, id);
        roles = page_fact(pg->roles, id);
        identities = identities_shown(page_fact(pg->identities, id));
        mfa = json_is_true(json_object_get(pg->mfa, id));
    } else if (pc_iam_group_names_get(tenant_id, id, &groups) == PC_OK &&
               pc_iam_role_names_get(tenant_id, id, &roles) == PC_OK &&
               (identities = pc_api_identities_view(tenant_id, id)) != NULL)
        mfa = mfa_enabled(tenant_id, id);
    if (mfa < 0) {
        json_decref(groups);
        json_decref(roles);
        json_decref(identities);
        return 0;
    }
    json_object_set_new(v, "groups", groups);
    json_object_set_new(v, "roles", roles);
    json_object_set_new(v, "identities", identities);
    json_object_set_new(v, "mfa_enabled", json_boolean(mfa));
    return 1;
}

/* The view, or NULL when the store failed; what it shows beyond the record is asked of the
 * store unless `pg` has it. */
static json_t *user_view(const json_t *u, const char *tenant_id, const pc_user_page *pg)
{
    const char *id = json_string_value(json_object_get(u, "id"));
    json_t *attributes = json_object_get(u, "attributes");
    json_t *v = json_pack(
        "{s:O,s:O,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "id", json_object_get(u, "id"), "username",
        json_object_get(u, "username"), "email", json_object_get(u, "email"), "name",
        json_object_get(u, "name"), "given_name", json_object_get(u, "given_name"), "family_name",
        json_object_get(u, "family_name"), "picture", json_object_get(u, "picture"), "phone_number",
        json_object_get(u, "phone_number"));

    if (!user_links(v, tenant_id, id, pg)) {
        json_decref(v);
        return NULL;
    }
    json_object_set_new(v, "status", json_string(pc_iam_user_status(u, pc_now())));
    json_object_set_new(v, "disabled_until", pc_api_time(json_object_get(u, "disabled_until")));
    json_object_set_new(v, "email_verified",
                        json_boolean(json_is_true(json_object_get(u, "email_verified"))));
    json_object_set_new(v, "attributes",
                        json_is_object(attributes) ? json_incref(attributes) : json_object());
    json_object_set_new(v, "created_at", pc_api_time(json_object_get(u, "created_at")));
    json_object_set_new(v, "updated_at", pc_api_time(json_object_get(u, "updated_at")));
    json_object_set_new(v, "deleted",
                        json_boolean(!json_is_null(json_object_get(u, "deleted_at"))));
    json_object_set_new(v, "deleted_at", pc_api_time(json_object_get(u, "deleted_at")));
    json_object_set_new(v, "last_login_at", pc_api_time(json_object_get(u, "last_login_at")));
    return v;
}

json_t *pc_api_user_view(const json_t *u, void *tenant_id)
{
    return user_view(u, tenant_id, NULL);
}

static json_t *page_view(const json_t *u, void *page)
{
    const pc_user_page *pg = page;

    return user_view(u, pg->tenant_id, pg->roles ? pg : NULL);
}

json_t *pc_api_user_load(pc_req *rq)
{
    json_t *u = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_USER, rq->tenant->id, "id", pc_req_param(rq, "id"), &u);

    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
        return NULL;
    }
    return u;
}

int pc_api_user_room(pc_req *rq)
{
    json_t *filters;
    int64_t n = 0;
    pc_status rc;

    if (rq->tenant->max_users < 0)
        return 1;
    if (PC_DB->base.struct_size < offsetof(pc_storage_ops, count) + sizeof PC_DB->count ||
        PC_DB->count == NULL) {
        pc_api_error(rq, PC_API_INTERNAL, "This store cannot count users for max_users", NULL);
        return 0;
    }
    filters = json_pack("{s:n}", "deleted_at");
    rc = PC_DB->count(PC_DBS, NULL, PC_ENT_USER, rq->tenant->id, filters, &n);
    json_decref(filters);
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
        return 0;
    }
    if (n < rq->tenant->max_users)
        return 1;
    pc_api_error(rq, PC_API_LIMIT, "The tenant has reached max_users", NULL);
    return 0;
}

pc_status pc_api_audit(pc_store_tx *tx, pc_req *rq, const pc_principal *p, const char *type,
                       const char *subject, json_t *details)
{
    json_t *act = json_object_get(json_object_get(p->claims, "act"), "sub");
    pc_status rc;

    /* API.md §16: a call made with an impersonation token names the impersonator */
    if (act != NULL) {
        if (details == NULL)
            details = json_object();
        json_object_set(details, "impersonator", act);
    }
    rc = pc_audit_record(tx, rq->tenant->id, type, pc_principal_actor(p), subject, rq->ip, details);

    json_decref(details);
    return rc;
}

/* The id of the role or group named by query parameter `param`, as filter `key`; 0 after a 400. */
static int name_filter(pc_req *rq, json_t *filters, const char *param, pc_entity ent,
                       const char *key)
{
    const char *name = pc_req_param(rq, param);
    json_t *rec = NULL;
    pc_status rc;

    if (name == NULL)
        return 1;
    rc = pc_db_get(NULL, ent, rq->tenant->id, "name", name, &rec);
    if (rc == PC_OK)
        json_object_set(filters, key, json_object_get(rec, "id"));
    json_decref(rec);
    if (rc == PC_ERR_NOT_FOUND)
        pc_api_invalid_field(rq, param, "no such name");
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    return rc == PC_OK;
}

/* ?created_after= / ?created_before= as filters; 0 after a 400. */
static int time_filter(pc_req *rq, json_t *filters, const char *param, const char *key, int after)
{
    const char *text = pc_req_param(rq, param);
    int64_t t;

    if (text == NULL)
        return 1;
    if ((t = pc_api_parse_time(text)) < 0) {
        pc_api_invalid_field(rq, param, "must be Unix seconds or an RFC 3339 UTC time");
        return 0;
    }
    json_object_set_new(filters, key, json_integer(after ? t + 1 : t));
    return 1;
}

/* API.md §11: deleted users only with ?deleted=true; ?status= at this moment. */
static int state_filters(pc_req *rq, json_t *filters)
{
    const char *deleted = pc_req_param(rq, "deleted"), *status = pc_req_param(rq, "status");

    if (deleted != NULL && strcmp(deleted, "true") != 0 && strcmp(deleted, "false") != 0) {
        pc_api_invalid_field(rq, "deleted", "must be true or false");
        return 0;
    }
    if (deleted != NULL && strcmp(deleted, "true") == 0)
        json_object_set_new(filters, "deleted_at>=", json_integer(1));
    else
        json_object_set_new(filters, "deleted_at", json_null());
    if (status == NULL)
        return 1;
    if (strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0) {
        pc_api_invalid_field(rq, "status", "must be active or disabled");
        return 0;
    }
    json_object_set_new(filters, strcmp(status, "active") == 0 ? "active_at" : "disabled_at",
                        json_integer(pc_now()));
    return 1;
}

static json_t *list_filters(pc_req *rq)
{
    const char *email = pc_req_param(rq, "email"), *q = pc_req_param(rq, "q");
    json_t *filters = json_object();

    if (email != NULL)
        json_object_set_new(filters, "email", json_string(email));
    if (q != NULL && *q != '\0')
        json_object_set_new(filters, "q", json_string(q));
    if (state_filters(rq, filters) && name_filter(rq, filters, "role", PC_ENT_ROLE, "role_id") &&
        name_filter(rq, filters, "group", PC_ENT_GROUP, "group_id") &&
        time_filter(rq, filters, "created_after", "created_at>=", 1) &&
        time_filter(rq, filters, "created_before", "created_before", 0))
        return filters;
    json_decref(filters);
    return NULL;
}

void pc_api_users_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor;
    json_t *filters = NULL, *rows = NULL;
    pc_store_query sq;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "read") || !pc_api_page(rq, &limit, &cursor) ||
        (filters = list_filters(rq)) == NULL)
        goto out;
    sq = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 0};
    rc = pc_db_list(NULL, PC_ENT_USER, rq->tenant->id, &sq, &rows);
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
    } else {
        pc_user_page pg = {.tenant_id = rq->tenant->id};
        pc_user_page_load(&pg, rq->tenant->id, rows, limit);
        pc_api_reply_page(rq, rows, limit, page_view, &pg);
        pc_user_page_clear(&pg);
    }
out:
    json_decref(filters);
    pc_principal_clear(&p);
}

void pc_api_users_get(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u;

    if (!pc_api_require(rq, &p, "users", "read"))
        return;
    u = pc_api_user_load(rq);
    if (u != NULL)
        pc_api_reply_view(rq, 200, pc_api_user_view(u, rq->tenant->id));
    json_decref(u);
    pc_principal_clear(&p);
}
