/* SPDX-License-Identifier: Apache-2.0 */
/* /users/{id}: soft delete, restore, administrative password reset, effective permissions. */
#include "api/escalation.h"
#include "api/safety.h"
#include "api/user_values.h"
#include "api/users.h"
#include "oauth2/changes.h"
#include "oauth2/session.h"
#include "server/store.h"
#include "util/password.h"

#include <stdlib.h>

/* Run `change` on a loaded user in one transaction with its audit event, then reply 204. */
typedef pc_status (*user_change)(pc_store_tx *tx, pc_req *rq, const json_t *user, const void *arg);

/* Apply `change` for an authorised caller, in one transaction with its audit event; 204. */
static void apply_as(pc_req *rq, const pc_principal *p, user_change change, const void *arg,
                     const char *audit_type)
{
    json_t *u = pc_api_user_load(rq);
    pc_store_tx *tx = NULL;
    char conflict[64] = "";
    pc_status rc;

    if (u == NULL)
        return;
    if (!pc_api_may_act_on(rq, p, json_string_value(json_object_get(u, "id")))) {
        json_decref(u);
        return;
    }
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = change(tx, rq, u, arg);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, audit_type, json_string_value(json_object_get(u, "id")), NULL);
    /* API.md §11: not the last active principal holding *:* */
    rc = pc_api_keep_superuser(tx, rq, rc, conflict, sizeof conflict);
    pc_api_finish_204_conflict(rq, tx, rc, conflict);
    json_decref(u);
}

static void apply_change(pc_req *rq, const char *perm_action, user_change change, const void *arg,
                         const char *audit_type)
{
    pc_principal p = {0};

    if (!pc_api_require(rq, &p, "users", perm_action))
        return;
    apply_as(rq, &p, change, arg, audit_type);
    pc_principal_clear(&p);
}

static pc_status set_deleted(pc_store_tx *tx, pc_req *rq, const json_t *u, const void *arg)
{
    const char *id = json_string_value(json_object_get(u, "id"));
    json_t *patch = json_pack("{s:I,s:I}", "deleted_at", (json_int_t)pc_now(), "updated_at",
                              (json_int_t)pc_now());
    pc_status rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, id, patch, NULL, 0);

    json_decref(patch);
    /* Login is blocked by deleted_at; ending the sessions revokes every token. */
    return rc == PC_OK ? pc_session_end_all(tx, rq->tenant, id) : rc;
}

static pc_status clear_deleted(pc_store_tx *tx, pc_req *rq, const json_t *u, const void *arg)
{
    json_t *patch = json_pack("{s:n,s:I}", "deleted_at", "updated_at", (json_int_t)pc_now());
    pc_status rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id,
                                json_string_value(json_object_get(u, "id")), patch, NULL, 0);

    json_decref(patch);
    return rc;
}

static pc_status set_password(pc_store_tx *tx, pc_req *rq, const json_t *u, const void *arg)
{
    const char *id = json_string_value(json_object_get(u, "id"));
    json_t *patch = json_pack("{s:s,s:I}", "password_hash", (const char *)arg, "updated_at",
                              (json_int_t)pc_now());
    pc_status rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, id, patch, NULL, 0);

    json_decref(patch);
    return rc == PC_OK ? pc_session_end_all(tx, rq->tenant, id) : rc;
}

void pc_api_users_delete(pc_req *rq)
{
    apply_change(rq, "delete", set_deleted, NULL, "user.deleted");
}

void pc_api_users_restore(pc_req *rq)
{
    apply_change(rq, "update", clear_deleted, NULL, "user.restored");
}

static const pc_field password_fields[] = {{"new_password", PC_F_STRING, 1}};

void pc_api_users_password(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body;
    const char *problem, *pw;
    char *hash = NULL;

    if (!pc_api_require(rq, &p, "users", "update"))
        return;
    body = pc_api_body(rq, password_fields, 1);
    pw = json_string_value(json_object_get(body, "new_password"));
    if (body == NULL)
        ;
    else if ((problem = pc_api_password_problem(rq->tenant, pw)) != NULL)
        pc_api_invalid_field(rq, "new_password", problem);
    else if (pc_password_hash(pw, &hash) != PC_OK)
        pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
    else
        apply_as(rq, &p, set_password, hash, "user.password_reset");
    free(hash);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_users_permissions(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u;

    if (!pc_api_require(rq, &p, "users", "read"))
        return;
    u = pc_api_user_load(rq);
    if (u != NULL)
        pc_api_reply_permissions(rq, json_string_value(json_object_get(u, "id")));
    json_decref(u);
    pc_principal_clear(&p);
}
