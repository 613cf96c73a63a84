/* SPDX-License-Identifier: Apache-2.0 */
/* /users: create and update, with disable and freeze cutting every token at once (API.md §11). */
#include "api/escalation.h"
#include "api/safety.h"
#include "api/user_values.h"
#include "api/users.h"
#include "authz/authz.h"
#include "iam/links.h"
#include "iam/users.h"
#include "oauth2/user_cut.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/password.h"

#include <stdlib.h>
#include <string.h>

static json_t *new_user_record(const pc_tenant *t, json_t *cols, const char *hash)
{
    char id[37];
    json_int_t now = pc_now();

    pc_uuid7(id);
    json_object_set_new(cols, "id", json_string(id));
    json_object_set_new(cols, "tenant_id", json_string(t->id));
    json_object_set_new(cols, "password_hash", hash ? json_string(hash) : json_null());
    json_object_set_new(cols, "created_at", json_integer(now));
    json_object_set_new(cols, "updated_at", json_integer(now));
    json_object_set_new(cols, "deleted_at", json_null());
    if (json_object_get(cols, "attributes") == NULL)
        json_object_set_new(cols, "attributes", json_object());
    if (json_object_get(cols, "status") == NULL)
        json_object_set_new(cols, "status", json_string("active"));
    if (json_object_get(cols, "email_verified") == NULL)
        json_object_set_new(cols, "email_verified", json_false());
    return cols;
}

pc_status pc_api_user_insert(pc_store_tx *tx, pc_req *rq, const pc_principal *p, const json_t *body,
                             const json_t *rec, char *conflict, json_t **unknown)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    const json_t *roles = json_object_get(body, "roles"), *groups = json_object_get(body, "groups");
    pc_status rc = pc_db_insert(tx, PC_ENT_USER, rec, conflict, 64);

    if (rc == PC_OK && roles != NULL)
        rc = pc_iam_set_roles(tx, rq->tenant->id, id, roles, unknown);
    if (rc == PC_OK && groups != NULL)
        rc = pc_iam_set_groups(tx, rq->tenant->id, id, groups, unknown);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "user.created", id,
                          json_pack("{s:O}", "username", json_object_get(rec, "username")));
    return rc;
}

/* Reply to a failed write: unknown names are 400, the rest by store status. */
static void write_failed(pc_req *rq, pc_status rc, const json_t *unknown, const char *conflict)
{
    if (rc == PC_ERR_INVALID && unknown != NULL)
        pc_api_error(rq, PC_API_INVALID, "Unknown role or group names",
                     json_incref((json_t *)unknown));
    else
        pc_api_store_error(rq, rc, conflict);
}

void pc_api_users_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *unknown = NULL;
    char *hash = NULL, conflict[64] = "";
    const char *password;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "create"))
        return;
    body = pc_api_body(rq, pc_api_user_fields, pc_api_user_nfields);
    if (body == NULL || (rec = pc_api_user_columns(rq, body)) == NULL ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")) ||
        !pc_api_may_grant_groups(rq, &p, json_object_get(body, "groups")) || !pc_api_user_room(rq))
        goto out;
    password = json_string_value(json_object_get(body, "password"));
    if (password != NULL && pc_password_hash(password, &hash) != PC_OK) {
        pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
        goto out;
    }
    new_user_record(rq->tenant, rec, hash);
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_api_user_insert(tx, rq, &p, body, rec, conflict, &unknown);
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        write_failed(rq, rc, unknown, conflict);
    else
        pc_api_reply_view(rq, 201, pc_api_user_view(rec, rq->tenant->id));
out:
    free(hash);
    json_decref(unknown);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

/* The record as it will read after `cols` are written over it (new). */
static json_t *merged(const json_t *before, const json_t *cols)
{
    json_t *after = json_deep_copy(before);

    json_object_update(after, (json_t *)cols);
    return after;
}

/* Disable or enable by status or freeze: cut every token, and audit the transition. */
static pc_status status_change(pc_store_tx *tx, pc_req *rq, const pc_principal *p,
                               const json_t *before, const json_t *cols)
{
    const char *id = json_string_value(json_object_get(before, "id"));
    json_t *after = merged(before, cols);
    int64_t now = pc_now();
    int was = pc_iam_user_disabled(before, now), is = pc_iam_user_disabled(after, now);
    pc_status rc = PC_OK;

    json_decref(after);
    if (json_object_get(cols, "status") == NULL && json_object_get(cols, "disabled_until") == NULL)
        return PC_OK;
    if (is)
        rc = pc_oauth2_user_cut(tx, rq->tenant, id);
    if (rc == PC_OK && is && !was)
        rc = pc_api_audit(
            tx, rq, p, "user.disabled", id,
            json_pack("{s:O?}", "disabled_until", json_object_get(cols, "disabled_until")));
    if (rc == PC_OK && was && !is)
        rc = pc_api_audit(tx, rq, p, "user.enabled", id, NULL);
    return rc;
}

static pc_status patch_user(pc_req *rq, const pc_principal *p, const json_t *before,
                            const json_t *body, json_t *cols, char *conflict, json_t **unknown)
{
    const char *id = json_string_value(json_object_get(before, "id"));
    const char *old_email = json_string_value(json_object_get(before, "email"));
    const char *new_email = json_string_value(json_object_get(cols, "email"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    /* API.md §11: an email change resets email_verified unless the body sets it. */
    if (json_object_get(cols, "email") != NULL && json_object_get(cols, "email_verified") == NULL &&
        (new_email == NULL || old_email == NULL || strcmp(new_email, old_email) != 0))
        json_object_set_new(cols, "email_verified", json_false());
    json_object_set_new(cols, "updated_at", json_integer(pc_now()));
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, id, cols, conflict, 64);
    if (rc == PC_OK && json_object_get(body, "roles"))
        rc = pc_iam_set_roles(tx, rq->tenant->id, id, json_object_get(body, "roles"), unknown);
    if (rc == PC_OK && json_object_get(body, "groups"))
        rc = pc_iam_set_groups(tx, rq->tenant->id, id, json_object_get(body, "groups"), unknown);
    if (rc == PC_OK)
        rc = status_change(tx, rq, p, before, cols);
    if (rc == PC_OK)
        rc = pc_pdp_subject_changed(tx, rq->tenant->id, id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "user.updated", id, json_pack("{s:O}", "fields", body));
    rc = pc_api_keep_superuser(tx, rq, rc, conflict, 64);
    return pc_api_finish(tx, rc);
}

void pc_api_users_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *u = NULL, *unknown = NULL, *cols = NULL;
    char conflict[64] = "";
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "update"))
        return;
    body = pc_api_body_patch(rq, pc_api_user_fields, pc_api_user_nfields);
    if (body == NULL || (cols = pc_api_user_columns(rq, body)) == NULL)
        goto out;
    if (json_object_get(body, "password") != NULL) {
        pc_api_error(rq, PC_API_UNEXPECTED_FIELDS, "Set a password with POST /users/{id}/password",
                     json_pack("{s:s}", "password", "unexpected"));
        goto out;
    }
    if ((u = pc_api_user_load(rq)) == NULL ||
        !pc_api_may_act_on(rq, &p, json_string_value(json_object_get(u, "id"))) ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")) ||
        !pc_api_may_grant_groups(rq, &p, json_object_get(body, "groups")))
        goto out;
    rc = patch_user(rq, &p, u, body, cols, conflict, &unknown);
    json_decref(u);
    u = NULL;
    if (rc != PC_OK)
        write_failed(rq, rc, unknown, conflict);
    else if ((u = pc_api_user_load(rq)) != NULL)
        pc_api_reply_view(rq, 200, pc_api_user_view(u, rq->tenant->id));
out:
    json_decref(cols);
    json_decref(unknown);
    json_decref(u);
    json_decref(body);
    pc_principal_clear(&p);
}
