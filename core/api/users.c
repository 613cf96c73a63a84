/* SPDX-License-Identifier: Apache-2.0 */
/* /users: list, create, get, update. */
#include "api/escalation.h"
#include "api/users.h"
#include "iam/audit.h"
#include "iam/links.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"
#include "util/password.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NAME 256

json_t *pc_api_user_view(const json_t *u, void *tenant_id)
{
    const char *id = json_string_value(json_object_get(u, "id"));

    return json_pack("{s:O,s:O,s:O,s:O,s:O,s:o,s:o,s:o,s:o,s:b}", "id", json_object_get(u, "id"),
                     "username", json_object_get(u, "username"), "email",
                     json_object_get(u, "email"), "name", json_object_get(u, "name"),
                     "phone_number", json_object_get(u, "phone_number"), "groups",
                     pc_iam_group_names(tenant_id, id), "roles", pc_iam_role_names(tenant_id, id),
                     "created_at", pc_api_time(json_object_get(u, "created_at")), "updated_at",
                     pc_api_time(json_object_get(u, "updated_at")), "deleted",
                     !json_is_null(json_object_get(u, "deleted_at")));
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

void pc_api_users_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor, *email = pc_req_param(rq, "email"), *q = pc_req_param(rq, "q");
    json_t *filters = json_object(), *rows = NULL;
    pc_store_query sq;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "read") || !pc_api_page(rq, &limit, &cursor))
        goto out;
    if (email != NULL)
        json_object_set_new(filters, "email", json_string(email));
    if (q != NULL && *q != '\0')
        json_object_set_new(filters, "q", json_string(q));
    sq = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 0};
    rc = pc_db_list(NULL, PC_ENT_USER, rq->tenant->id, &sq, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, pc_api_user_view, rq->tenant->id);
out:
    json_decref(filters);
    pc_principal_clear(&p);
}

static const pc_field create_fields[] = {
    {"username", PC_F_STRING, 1},
    {"email", PC_F_NULLABLE_STRING, 0},
    {"password", PC_F_STRING, 0},
    {"name", PC_F_NULLABLE_STRING, 0},
    {"phone_number", PC_F_NULLABLE_STRING, 0},
    {"groups", PC_F_STRINGS, 0},
    {"roles", PC_F_STRINGS, 0},
};

/* Value checks beyond types; the first problem is replied. */
static int valid_user_values(pc_req *rq, const json_t *body)
{
    const char *username = json_string_value(json_object_get(body, "username"));
    const char *email = json_string_value(json_object_get(body, "email"));
    const char *password = json_string_value(json_object_get(body, "password"));
    const char *problem;

    if (username != NULL && (*username == '\0' || strlen(username) > MAX_NAME)) {
        pc_api_invalid_field(rq, "username", "must be 1 to 256 characters");
        return 0;
    }
    if (email != NULL && (strchr(email, '@') == NULL || strlen(email) > MAX_NAME)) {
        pc_api_invalid_field(rq, "email", "must be an email address");
        return 0;
    }
    if (password != NULL && (problem = pc_password_problem(password)) != NULL) {
        pc_api_invalid_field(rq, "password", problem);
        return 0;
    }
    if ((int64_t)json_array_size(json_object_get(body, "roles")) > rq->tenant->max_roles_per_user) {
        pc_api_error(rq, PC_API_LIMIT, "Too many roles for one user",
                     json_pack("{s:s}", "roles", "limit exceeded"));
        return 0;
    }
    return 1;
}

static json_t *new_user_record(const pc_tenant *t, const json_t *body, const char *hash)
{
    char id[37];
    json_int_t now = pc_now();

    pc_uuid7(id);
    return json_pack("{s:s,s:s,s:O,s:O?,s:O?,s:O?,s:s?,s:I,s:I,s:n}", "id", id, "tenant_id", t->id,
                     "username", json_object_get(body, "username"), "email",
                     json_object_get(body, "email"), "name", json_object_get(body, "name"),
                     "phone_number", json_object_get(body, "phone_number"), "password_hash", hash,
                     "created_at", now, "updated_at", now, "deleted_at");
}

/* Insert the user, its links and the audit event together. */
static pc_status insert_user(pc_req *rq, const pc_principal *p, const json_t *body, json_t *rec,
                             char *conflict, json_t **unknown)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    const json_t *roles = json_object_get(body, "roles"), *groups = json_object_get(body, "groups");
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_db_insert(tx, PC_ENT_USER, rec, conflict, 64);
    if (rc == PC_OK && roles != NULL)
        rc = pc_iam_set_roles(tx, rq->tenant->id, id, roles, unknown);
    if (rc == PC_OK && groups != NULL)
        rc = pc_iam_set_groups(tx, rq->tenant->id, id, groups, unknown);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "user.created", id,
                          json_pack("{s:O}", "username", json_object_get(rec, "username")));
    return pc_api_finish(tx, rc);
}

void pc_api_users_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *unknown = NULL;
    char *hash = NULL, conflict[64] = "";
    const char *password;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "create"))
        return;
    body = pc_api_body(rq, create_fields, sizeof create_fields / sizeof *create_fields);
    if (body == NULL || !valid_user_values(rq, body) ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")) ||
        !pc_api_may_grant_groups(rq, &p, json_object_get(body, "groups")))
        goto out;
    password = json_string_value(json_object_get(body, "password"));
    if (password != NULL && pc_password_hash(password, &hash) != PC_OK) {
        pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
        goto out;
    }
    rec = new_user_record(rq->tenant, body, hash);
    rc = insert_user(rq, &p, body, rec, conflict, &unknown);
    if (rc == PC_ERR_INVALID && unknown != NULL)
        pc_api_error(rq, PC_API_INVALID, "Unknown role or group names", json_incref(unknown));
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, 201, pc_api_user_view(rec, rq->tenant->id));
out:
    free(hash);
    json_decref(unknown);
    json_decref(rec);
    json_decref(body);
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
        pc_reply_json(rq, 200, pc_api_user_view(u, rq->tenant->id));
    json_decref(u);
    pc_principal_clear(&p);
}

static const pc_field patch_fields[] = {
    {"username", PC_F_STRING, 0},      {"email", PC_F_NULLABLE_STRING, 0},
    {"name", PC_F_NULLABLE_STRING, 0}, {"phone_number", PC_F_NULLABLE_STRING, 0},
    {"groups", PC_F_STRINGS, 0},       {"roles", PC_F_STRINGS, 0},
};

static pc_status patch_user(pc_req *rq, const pc_principal *p, const char *id, const json_t *body,
                            char *conflict, json_t **unknown)
{
    json_t *cols = json_pack("{s:I}", "updated_at", (json_int_t)pc_now());
    const char *key;
    json_t *v;
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    json_object_foreach ((json_t *)body, key, v)
        if (strcmp(key, "roles") != 0 && strcmp(key, "groups") != 0)
            json_object_set(cols, key, v);
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, id, cols, conflict, 64);
    if (rc == PC_OK && json_object_get(body, "roles"))
        rc = pc_iam_set_roles(tx, rq->tenant->id, id, json_object_get(body, "roles"), unknown);
    if (rc == PC_OK && json_object_get(body, "groups"))
        rc = pc_iam_set_groups(tx, rq->tenant->id, id, json_object_get(body, "groups"), unknown);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "user.updated", id, json_pack("{s:O}", "fields", body));
    json_decref(cols);
    return pc_api_finish(tx, rc);
}

void pc_api_users_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *u = NULL, *unknown = NULL;
    char conflict[64] = "";
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "update"))
        return;
    body = pc_api_body(rq, patch_fields, sizeof patch_fields / sizeof *patch_fields);
    if (body == NULL || !valid_user_values(rq, body) || (u = pc_api_user_load(rq)) == NULL ||
        !pc_api_may_act_on(rq, &p, json_string_value(json_object_get(u, "id"))) ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")) ||
        !pc_api_may_grant_groups(rq, &p, json_object_get(body, "groups")))
        goto out;
    rc = patch_user(rq, &p, json_string_value(json_object_get(u, "id")), body, conflict, &unknown);
    json_decref(u);
    u = NULL;
    if (rc == PC_ERR_INVALID && unknown != NULL)
        pc_api_error(rq, PC_API_INVALID, "Unknown role or group names", json_incref(unknown));
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else if ((u = pc_api_user_load(rq)) != NULL)
        pc_reply_json(rq, 200, pc_api_user_view(u, rq->tenant->id));
out:
    json_decref(unknown);
    json_decref(u);
    json_decref(body);
    pc_principal_clear(&p);
}
