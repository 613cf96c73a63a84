/* SPDX-License-Identifier: Apache-2.0 */
/* /users/{id}/mfa: an administrator reads a user's MFA status or resets every factor (lost device). */
#include "api/escalation.h"
#include "api/users.h"
#include "iam/mfa.h"
#include "server/store.h"

void pc_api_users_mfa_get(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL, *factors = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "read") || (u = pc_api_user_load(rq)) == NULL)
        goto out;
    rc = pc_mfa_factors(rq->tenant, json_string_value(json_object_get(u, "id")), &factors);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 200, pc_mfa_status(factors));
out:
    json_decref(factors);
    json_decref(u);
    pc_principal_clear(&p);
}

void pc_api_users_mfa_reset(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL, *factors = NULL, *f, *methods = json_array();
    const char *uid;
    pc_store_tx *tx = NULL;
    size_t i;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "update") || (u = pc_api_user_load(rq)) == NULL ||
        !pc_api_may_act_on(rq, &p, json_string_value(json_object_get(u, "id"))))
        goto out;
    uid = json_string_value(json_object_get(u, "id"));
    rc = pc_mfa_factors(rq->tenant, uid, &factors);
    if (rc == PC_OK)
        rc = pc_db_begin(&tx);
    json_array_foreach (factors, i, f) {
        json_array_append(methods, json_object_get(f, "method"));
        if (rc == PC_OK)
            rc = pc_db_remove(tx, PC_ENT_MFA, rq->tenant->id,
                              json_string_value(json_object_get(f, "id")));
    }
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "mfa.reset", uid, json_pack("{s:O}", "methods", methods));
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(methods);
    json_decref(factors);
    json_decref(u);
    pc_principal_clear(&p);
}
