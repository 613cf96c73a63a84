/* SPDX-License-Identifier: Apache-2.0 */
/* /me/mfa: a user's own second factors: status, enrolment and its verification, preference, disabling. */
#include "api/users.h"
#include "api/mfa_api.h"
#include "oauth2/mfa_token.h"
#include "server/store.h"
#include "util/password.h"

#include <stdio.h>
#include <string.h>

int pc_api_mfa_user_caller(pc_req *rq, pc_principal *p, pc_mfa_actor *a)
{
    if (!pc_api_authenticate_user(rq, p, "Applications have no second factors"))
        return 0;
    *a = (pc_mfa_actor){.tenant = rq->tenant,
                        .user = p->record,
                        .client_id = json_string_value(json_object_get(p->claims, "client_id")),
                        .actor = p->id,
                        .ip = rq->ip};
    return 1;
}

int pc_api_mfa_password_ok(pc_req *rq, const pc_mfa_actor *a, const pc_principal *p,
                           const json_t *body)
{
    int64_t retry = 0;

    if (pc_mfa_throttle_check(a, &retry) != PC_OK) {
        pc_api_rate_limited(rq, retry);
        return 0;
    }
    if (pc_password_verify(json_string_value(json_object_get(p->record, "password_hash")),
                           json_string_value(json_object_get(body, "password"))) == PC_OK)
        return 1;
    pc_mfa_throttle_result(a, PC_ERR_DENIED);
    pc_api_error(rq, PC_API_WRONG_PASSWORD, "The password is wrong",
                 json_pack("{s:s}", "password", "wrong"));
    return 0;
}

void pc_api_me_mfa_get(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *factors = NULL;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a))
        return;
    rc = pc_mfa_factors(rq->tenant, p.id, &factors);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 200, pc_mfa_status(factors));
    json_decref(factors);
    pc_principal_clear(&p);
}

void pc_api_me_mfa_enrol(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    const char *method = pc_req_param(rq, "method");
    json_t *body = NULL, *reply = NULL;
    pc_status rc;

    /* A new factor (a passkey signs in on its own) is not a stolen token's to add. */
    /* POST /me/mfa/recovery-codes: a new generation of recovery codes. */
    if (strcmp(method, "recovery-codes") == 0)
        method = PC_MFA_RECOVERY;
    if (!pc_api_mfa_user_caller(rq, &p, &a) || !pc_api_recent_sign_in(rq, &p, method) ||
        (body = pc_api_optional_body(rq)) == NULL)
        goto out;
    rc = pc_mfa_enrol(&a, method, body, &reply);
    if (rc == PC_OK && strcmp(method, PC_MFA_RECOVERY) == 0)
        pc_api_audit(NULL, rq, &p, "recovery.generated", p.id, NULL);
    if (rc != PC_OK)
        pc_api_mfa_error(rq, rc, reply);
    else if (json_object_size(reply) > 0)
        pc_reply_json(rq, 200, json_incref(reply));
    else
        pc_reply_empty(rq, 204);
out:
    json_decref(reply);
    json_decref(body);
    pc_principal_clear(&p);
}

static const pc_field code_fields[] = {{"code", PC_F_STRING, 1}};

/* The verified enrolment becomes active, in tx with its audit. With no preference set, the first enabled
 * method is the preferred one. */
static pc_status activate(pc_store_tx *tx, pc_req *rq, const pc_principal *p, const json_t *factors,
                          const json_t *f)
{
    json_t *patch =
        json_pack("{s:s,s:I}", "state", PC_MFA_ACTIVE, "updated_at", (json_int_t)pc_now());
    pc_status rc = pc_db_update(tx, PC_ENT_MFA, rq->tenant->id,
                                json_string_value(json_object_get(f, "id")), patch, NULL, 0);

    (void)factors;
    json_decref(patch);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "mfa.enabled", p->id,
                          json_pack("{s:O}", "method", json_object_get(f, "method")));
    return rc;
}

void pc_api_me_mfa_verify(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *body = NULL, *factors = NULL, *f;
    void *state = NULL;
    pc_status rc;

    /* Passkeys answer with a credential, not a code (API.md §19). */
    if (pc_mfa_scheme_adds(pc_mfa_scheme(pc_req_param(rq, "method"), &state))) {
        pc_api_me_passkey_verify(rq);
        return;
    }
    if (!pc_api_mfa_user_caller(rq, &p, &a) || (body = pc_api_body(rq, code_fields, 1)) == NULL)
        goto out;
    rc = pc_mfa_factors(rq->tenant, p.id, &factors);
    f = rc == PC_OK ? pc_mfa_find(factors, pc_req_param(rq, "method")) : NULL;
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (f == NULL)
        pc_api_error(rq, PC_API_NOT_FOUND, "No enrolment of this method is in progress", NULL);
    else if (pc_mfa_is_active(f))
        pc_api_error(rq, PC_API_CONFLICT, "This method is already enabled", NULL);
    else
        pc_api_mfa_check(rq, &a, f, json_string_value(json_object_get(body, "code")), activate, &p,
                         factors);
out:
    json_decref(factors);
    json_decref(body);
    pc_principal_clear(&p);
}

static const pc_field preferred_fields[] = {{"method", PC_F_STRING, 1}};

void pc_api_me_mfa_preferred(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *body = NULL, *factors = NULL, *f;
    const char *method;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a) ||
        (body = pc_api_body(rq, preferred_fields, 1)) == NULL)
        goto out;
    method = json_string_value(json_object_get(body, "method"));
    rc = pc_mfa_factors(rq->tenant, p.id, &factors);
    f = rc == PC_OK ? pc_mfa_find(factors, method) : NULL;
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
        goto out;
    }
    if (!pc_mfa_is_active(f) || strcmp(method, PC_MFA_RECOVERY) == 0) {
        pc_api_invalid_field(rq, "method", "must be one of your enabled methods");
        goto out;
    }
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_mfa_set_preferred(tx, rq->tenant, factors, method);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "mfa.preferred", p.id, json_pack("{s:s}", "method", method));
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(factors);
    json_decref(body);
    pc_principal_clear(&p);
}

static pc_status remove_factor(pc_store_tx *tx, pc_req *rq, const pc_principal *p,
                               const json_t *factors, const json_t *f)
{
    pc_status rc =
        pc_db_remove(tx, PC_ENT_MFA, rq->tenant->id, json_string_value(json_object_get(f, "id")));

    (void)factors;
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "mfa.disabled", p->id,
                          json_pack("{s:O}", "method", json_object_get(f, "method")));
    return rc;
}

static const pc_field disable_fields[] = {{"password", PC_F_STRING, 1}, {"code", PC_F_STRING, 1}};

void pc_api_me_mfa_disable(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *body = NULL, *factors = NULL, *f;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a) || (body = pc_api_body(rq, disable_fields, 2)) == NULL)
        goto out;
    rc = pc_mfa_factors(rq->tenant, p.id, &factors);
    f = rc == PC_OK ? pc_mfa_find(factors, pc_req_param(rq, "method")) : NULL;
    if (rc != PC_OK || f == NULL) {
        pc_api_store_error(rq, rc == PC_OK ? PC_ERR_NOT_FOUND : rc, NULL);
        goto out;
    }
    if (!pc_api_mfa_password_ok(rq, &a, &p, body))
        goto out;
    pc_api_mfa_check(rq, &a, f, json_string_value(json_object_get(body, "code")), remove_factor, &p,
                     factors);
out:
    json_decref(factors);
    json_decref(body);
    pc_principal_clear(&p);
}
