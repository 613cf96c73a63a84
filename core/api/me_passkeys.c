/* SPDX-License-Identifier: Apache-2.0 */
/* /me/mfa/webauthn: a user's own passkeys: storing a new one, listing, renaming, removing (issue #19). */
#include "api/mfa_api.h"
#include "api/users.h"
#include "oauth2/mfa_token.h"
#include "oauth2/passkey.h"
#include "server/store.h"
#include "util/password.h"

#include <string.h>

#define MAX_NAME 64

/* The enrolment is verified: a first passkey enables the method; later ones are added to it. */
static pc_status stored(pc_store_tx *tx, pc_req *rq, const pc_principal *p, const json_t *factors,
                        const json_t *f)
{
    json_t *patch;
    pc_status rc = PC_OK;

    (void)factors;
    if (!pc_mfa_is_active(f)) {
        patch = json_pack("{s:s,s:I}", "state", PC_MFA_ACTIVE, "updated_at", (json_int_t)pc_now());
        rc = pc_db_update(tx, PC_ENT_MFA, rq->tenant->id,
                          json_string_value(json_object_get(f, "id")), patch, NULL, 0);
        json_decref(patch);
        if (rc == PC_OK)
            rc = pc_api_audit(tx, rq, p, "mfa.enabled", p->id,
                              json_pack("{s:s}", "method", PC_PASSKEY_METHOD));
    }
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "mfa.passkey_added", p->id, NULL);
    return rc;
}

static const pc_field verify_fields[] = {{"name", PC_F_STRING, 0}, {"credential", PC_F_OBJECT, 1}};

void pc_api_me_passkey_verify(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *body = NULL, *factors = NULL, *f;
    char *code = NULL;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a) || (body = pc_api_body(rq, verify_fields, 2)) == NULL)
        goto out;
    if (json_string_length(json_object_get(body, "name")) > MAX_NAME) {
        pc_api_invalid_field(rq, "name", "at most 64 characters");
        goto out;
    }
    rc = pc_mfa_factors(rq->tenant, p.id, &factors);
    f = rc == PC_OK ? pc_mfa_find(factors, PC_PASSKEY_METHOD) : NULL;
    code = f != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (f == NULL)
        pc_api_error(rq, PC_API_NOT_FOUND, "No passkey enrolment is in progress", NULL);
    else
        pc_api_mfa_check(rq, &a, f, code, stored, &p, factors);
out:
    free(code);
    json_decref(factors);
    json_decref(body);
    pc_principal_clear(&p);
}

static json_t *item_of(const json_t *c)
{
    return json_pack("{s:O,s:O,s:o,s:o,s:b,s:b}", "id", json_object_get(c, "id"), "name",
                     json_object_get(c, "name"), "created_at",
                     pc_api_time(json_object_get(c, "created_at")), "last_used_at",
                     pc_api_time(json_object_get(c, "last_used_at")), "backup_eligible",
                     json_is_true(json_object_get(c, "backup_eligible")), "backed_up",
                     json_is_true(json_object_get(c, "backed_up")));
}

void pc_api_me_passkeys_list(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *factors = NULL, *f, *items, *c;
    size_t i;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a))
        return;
    rc = pc_mfa_factors(rq->tenant, p.id, &factors);
    f = rc == PC_OK ? pc_mfa_find(factors, PC_PASSKEY_METHOD) : NULL;
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
    } else {
        items = json_array();
        if (pc_mfa_is_active(f))
            json_array_foreach (json_object_get(json_object_get(f, "data"), "credentials"), i, c)
                json_array_append_new(items, item_of(c));
        pc_reply_json(rq, 200, json_pack("{s:o}", "items", items));
    }
    json_decref(factors);
    pc_principal_clear(&p);
}

/* In tx: the caller's passkey factor, its row locked, and the index of credential `cid` in it. */
static pc_status locked_credential(pc_store_tx *tx, pc_req *rq, const char *user_id,
                                   const char *cid, json_t **factor, size_t *index)
{
    json_t *factors = NULL, *f, *touch, *c;
    pc_status rc = pc_mfa_factors(rq->tenant, user_id, &factors);
    size_t i;

    *factor = NULL;
    f = rc == PC_OK ? pc_mfa_find(factors, PC_PASSKEY_METHOD) : NULL;
    if (rc == PC_OK && !pc_mfa_is_active(f))
        rc = PC_ERR_NOT_FOUND;
    touch = json_pack("{s:I}", "updated_at", (json_int_t)pc_now());
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_MFA, rq->tenant->id,
                          json_string_value(json_object_get(f, "id")), touch, NULL, 0);
    if (rc == PC_OK)
        rc = pc_db_get(tx, PC_ENT_MFA, rq->tenant->id, "id",
                       json_string_value(json_object_get(f, "id")), factor);
    json_decref(touch);
    json_decref(factors);
    if (rc != PC_OK)
        return rc;
    json_array_foreach (json_object_get(json_object_get(*factor, "data"), "credentials"), i, c)
        if (cid != NULL && json_is_string(json_object_get(c, "id")) &&
            strcmp(json_string_value(json_object_get(c, "id")), cid) == 0) {
            *index = i;
            return PC_OK;
        }
    return PC_ERR_NOT_FOUND;
}

static pc_status save_data(pc_store_tx *tx, pc_req *rq, const json_t *factor)
{
    json_t *patch = json_pack("{s:O,s:I}", "data", json_object_get(factor, "data"), "updated_at",
                              (json_int_t)pc_now());
    pc_status rc = pc_db_update(tx, PC_ENT_MFA, rq->tenant->id,
                                json_string_value(json_object_get(factor, "id")), patch, NULL, 0);

    json_decref(patch);
    return rc;
}

static const pc_field rename_fields[] = {{"name", PC_F_STRING, 1}};

void pc_api_me_passkey_rename(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *body = NULL, *factor = NULL, *c = NULL;
    const char *name;
    pc_store_tx *tx = NULL;
    size_t i = 0;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a) || (body = pc_api_body(rq, rename_fields, 1)) == NULL)
        goto out;
    name = json_string_value(json_object_get(body, "name"));
    if (*name == '\0' || strlen(name) > MAX_NAME) {
        pc_api_invalid_field(rq, "name", "1 to 64 characters");
        goto out;
    }
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = locked_credential(tx, rq, p.id, pc_req_param(rq, "credential_id"), &factor, &i);
    if (rc == PC_OK) {
        c = json_array_get(json_object_get(json_object_get(factor, "data"), "credentials"), i);
        json_object_set_new(c, "name", json_string(name));
        rc = save_data(tx, rq, factor);
    }
    rc = pc_api_finish(tx, rc);
    if (rc == PC_OK)
        pc_reply_json(rq, 200, item_of(c));
    else
        pc_api_store_error(rq, rc, NULL);
out:
    json_decref(factor);
    json_decref(body);
    pc_principal_clear(&p);
}

/* Remove the credential; the last one takes the method with it. */
static pc_status remove_credential(pc_store_tx *tx, pc_req *rq, const pc_principal *p,
                                   json_t *factor, size_t i)
{
    json_t *creds = json_object_get(json_object_get(factor, "data"), "credentials");
    pc_status rc;

    json_array_remove(creds, i);
    rc = json_array_size(creds) > 0
             ? save_data(tx, rq, factor)
             : pc_db_remove(tx, PC_ENT_MFA, rq->tenant->id,
                            json_string_value(json_object_get(factor, "id")));
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "mfa.passkey_removed", p->id, NULL);
    if (rc == PC_OK && json_array_size(creds) == 0)
        rc = pc_api_audit(tx, rq, p, "mfa.disabled", p->id,
                          json_pack("{s:s}", "method", PC_PASSKEY_METHOD));
    return rc;
}

static const pc_field delete_fields[] = {{"password", PC_F_STRING, 1}};

void pc_api_me_passkey_delete(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *body = NULL, *factor = NULL;
    pc_store_tx *tx = NULL;
    size_t i = 0;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a) || (body = pc_api_body(rq, delete_fields, 1)) == NULL)
        goto out;
    if (!pc_api_mfa_password_ok(rq, &a, &p, body))
        goto out;
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = locked_credential(tx, rq, p.id, pc_req_param(rq, "credential_id"), &factor, &i);
    if (rc == PC_OK)
        rc = remove_credential(tx, rq, &p, factor, i);
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(factor);
    json_decref(body);
    pc_principal_clear(&p);
}
