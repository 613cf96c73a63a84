/* SPDX-License-Identifier: Apache-2.0 */
/* Step-up at the management API (API.md §16): the RFC 9470 challenge, or a Portcullis-OTP or -Step-Up header. */
#include "api/api.h"
#include "api/step_up_passkey.h"
#include "api/users.h"
#include "authz/step_up.h"
#include "iam/mfa.h"
#include "server/store.h"

#include <stdio.h>
#include <string.h>

/*
 * A current code of the caller's active TOTP factor, checked with the factor
 * locked so that one time step is accepted once; audited. PC_OK, PC_ERR_DENIED,
 * or PC_ERR_STORAGE.
 */
static pc_status otp_accepted(pc_req *rq, const pc_principal *p, const char *code,
                              const char *resource, const char *action)
{
    json_t *factors = NULL, *totp;
    pc_mfa_actor a = {.tenant = rq->tenant,
                      .user = p->record,
                      .client_id = json_string_value(json_object_get(p->claims, "client_id")),
                      .actor = p->id,
                      .ip = rq->ip};
    pc_store_tx *tx = NULL;
    char perm[300];
    pc_status rc = pc_mfa_factors(rq->tenant, p->id, &factors);

    totp = rc == PC_OK ? pc_mfa_find(factors, "totp") : NULL;
    if (rc == PC_OK && (totp == NULL || !pc_mfa_is_active(totp)))
        rc = PC_ERR_DENIED;
    if (rc == PC_OK)
        rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_mfa_verify_in(tx, &a, json_string_value(json_object_get(totp, "id")), code, NULL);
    snprintf(perm, sizeof perm, "%s:%s", resource, action);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "step_up.otp", p->id, json_pack("{s:s}", "permission", perm));
    if (tx != NULL) {
        /* a refused code still counts against the factor: keep what the scheme wrote */
        pc_status frc = pc_api_finish(tx, rc == PC_ERR_DENIED ? PC_OK : rc);
        rc = rc == PC_OK ? frc : rc;
    }
    json_decref(factors);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_DENIED;
}

/* A proof on the request: a TOTP code, or a passkey's step-up proof. PC_ERR_NOT_FOUND: none. */
static pc_status proof_accepted(pc_req *rq, const pc_principal *p, const char *resource,
                                const char *action, const char **refused)
{
    const char *otp = pc_req_header(rq, "Portcullis-OTP");
    const char *proof = pc_req_header(rq, PC_STEP_UP_PROOF_HEADER);

    if (otp != NULL) {
        *refused = "The one-time code was not accepted";
        return otp_accepted(rq, p, otp, resource, action);
    }
    if (proof != NULL) {
        *refused = "The step-up proof is not valid here, or it expired";
        return pc_api_step_up_proof(rq, p, proof);
    }
    return PC_ERR_NOT_FOUND;
}

/* Satisfied by a Portcullis-OTP or Portcullis-Step-Up header; else the RFC 9470 challenge,
 * `why` when the request carried neither. */
static int challenge(pc_req *rq, pc_principal *p, const char *resource, const char *action,
                     int64_t max_age, const char *why)
{
    const char *refused = NULL;
    char challenge[200];
    pc_status rc = proof_accepted(rq, p, resource, action, &refused);

    if (rc == PC_OK)
        return 1;
    if (rc == PC_ERR_STORAGE) {
        pc_api_store_error(rq, rc, NULL);
        pc_principal_clear(p);
        return 0;
    }
    /* RFC 9470 §3 */
    snprintf(challenge, sizeof challenge,
             "Bearer error=\"insufficient_user_authentication\", error_description=\"A fresh "
             "second factor is required\", max_age=\"%lld\"",
             (long long)max_age);
    pc_reply_header(rq, "WWW-Authenticate", challenge);
    pc_api_error(rq, PC_API_STEP_UP, refused != NULL ? refused : why, NULL);
    pc_principal_clear(p);
    return 0;
}

int pc_api_step_up(pc_req *rq, pc_principal *p, const char *resource, const char *action)
{
    int64_t max_age;

    if (!pc_pdp_step_up_needed(rq->tenant->settings, p->claims, resource, action, pc_now(),
                               &max_age))
        return 1;
    return challenge(rq, p, resource, action, max_age,
                     "This operation needs a second factor within the last max_age seconds, or "
                     "a Portcullis-OTP or Portcullis-Step-Up header");
}

/* Has the person an active second factor (recovery codes alone are not one)? -1: the store
 * failed. */
static int has_second_factor(const pc_req *rq, const char *user_id)
{
    json_t *factors = NULL, *f;
    size_t i;
    int on = 0;

    if (pc_mfa_factors(rq->tenant, user_id, &factors) != PC_OK)
        return -1;
    json_array_foreach (factors, i, f)
        on |= pc_mfa_is_active(f) &&
              strcmp(json_string_value(json_object_get(f, "method")), PC_MFA_RECOVERY) != 0;
    json_decref(factors);
    return on;
}

/* Does a factor of `method` answer step-up (a TOTP code, a passkey's proof) or sign in on its
 * own (a passkey)? Such a factor is another way in, not only a second step. */
static int opens_doors(const char *method)
{
    return strcmp(method, "totp") == 0 || strcmp(method, "webauthn") == 0;
}

int pc_api_recent_sign_in(pc_req *rq, pc_principal *p, const char *method)
{
    int64_t max_age = pc_pdp_step_up_max_age(rq->tenant->settings);
    int64_t auth_time = json_integer_value(json_object_get(p->claims, "auth_time"));
    int fresh = auth_time > 0 && pc_now() - auth_time <= max_age, second = 0;

    if (json_object_get(p->claims, "act") != NULL) { /* API.md §16: acting for someone */
        pc_api_error(rq, PC_API_FORBIDDEN,
                     "An impersonation token cannot change the person's second factors", NULL);
        pc_principal_clear(p);
        return 0;
    }
    if (opens_doors(method))
        second = has_second_factor(rq, p->id);
    if (second < 0) {
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
        pc_principal_clear(p);
        return 0;
    }
    /* A person with a second factor shows it: a password alone adds no other way in. */
    if (fresh && (!second || pc_pdp_amr_has_mfa(json_object_get(p->claims, "amr"))))
        return 1;
    return challenge(rq, p, "mfa", method, max_age,
                     second ? "This change needs a sign-in with your second factor within the "
                              "last max_age seconds, or a Portcullis-OTP or Portcullis-Step-Up "
                              "header"
                            : "This change needs a sign-in within the last max_age seconds: "
                              "sign in again, or send a Portcullis-OTP header");
}
