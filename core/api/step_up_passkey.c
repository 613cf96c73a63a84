/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step-up with a passkey (issue #19, API.md §16): POST /me/step-up/webauthn gives request options
 * whose challenge is bound to the caller and its session; POST /me/step-up/webauthn/verify takes
 * the assertion once and answers a step-up proof, which the Portcullis-Step-Up header carries on
 * the calls that need step-up, in that session, for the tenant's step_up max_age: the passkey
 * counts as a fresh second factor, as a new sign-in with it would.
 */
#include "api/step_up_passkey.h"
#include "api/mfa_api.h"
#include "api/users.h"
#include "authz/step_up.h"
#include "oauth2/passkey.h"
#include "server/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* A step-up challenge names the user and the session its token belongs to (new). */
static char *binding_of(const pc_principal *p)
{
    const char *sid = json_string_value(json_object_get(p->claims, "sid"));

    return pc_asprintf("step-up:%s:%s", p->id, sid ? sid : "");
}

/* The caller's active passkey factor (new), PC_ERR_NOT_FOUND, or PC_ERR_STORAGE. */
static pc_status passkey_factor(const pc_tenant *t, const char *user_id, json_t **factor)
{
    json_t *factors = NULL, *f;
    void *state = NULL;
    pc_status rc = pc_mfa_factors(t, user_id, &factors);

    *factor = NULL;
    f = rc == PC_OK ? pc_mfa_find(factors, PC_PASSKEY_METHOD) : NULL;
    if (rc == PC_OK &&
        (f == NULL || !pc_mfa_is_active(f) || pc_passkey_scheme(PC_PASSKEY_METHOD, &state) == NULL))
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        *factor = json_incref(f);
    json_decref(factors);
    return rc;
}

void pc_api_me_step_up_webauthn(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a;
    json_t *factor = NULL;
    char *binding = NULL, *challenge = NULL, *options = NULL;
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a))
        return;
    rc = passkey_factor(rq->tenant, p.id, &factor);
    if (rc == PC_OK) {
        binding = binding_of(&p);
        if ((challenge = pc_passkey_challenge_issue(rq->tenant, binding)) == NULL)
            rc = PC_ERR_STORAGE;
    }
    if (rc == PC_OK &&
        (options = pc_passkey_options(rq->tenant, p.record, factor, challenge)) == NULL)
        rc = PC_ERR_INTERNAL;
    if (rc == PC_OK)
        pc_reply_json(rq, 200, json_pack("{s:o}", "publicKey", json_loads(options, 0, NULL)));
    else if (rc == PC_ERR_NOT_FOUND)
        pc_api_error(rq, PC_API_NOT_FOUND, "You have no passkey to confirm it with", NULL);
    else
        pc_api_store_error(rq, rc, NULL);
    free(options);
    free(challenge);
    free(binding);
    json_decref(factor);
    pc_principal_clear(&p);
}

/* A proof's tag: the caller and session it serves, apart from the challenges (new). */
static char *proof_tag(const pc_principal *p)
{
    char *binding = binding_of(p), *tag = pc_asprintf("step-up-proof:%s", binding);

    free(binding);
    return tag;
}

static pc_status audited(pc_store_tx *tx, pc_req *rq, const pc_principal *p, const json_t *factors,
                         const json_t *factor)
{
    (void)factors;
    (void)factor;
    return pc_api_audit(
        tx, rq, p, "step_up.webauthn", p->id,
        json_pack("{s:I}", "expires_in", (json_int_t)pc_pdp_step_up_max_age(rq->tenant->settings)));
}

static const pc_field verify_fields[] = {{"credential", PC_F_OBJECT, 1}};

void pc_api_me_step_up_webauthn_verify(pc_req *rq)
{
    pc_principal p = {0};
    pc_mfa_actor a = {0};
    json_t *body = NULL, *factor = NULL;
    char *response = NULL, *binding = NULL, *proof = NULL, *tag = NULL;
    int64_t ttl = pc_pdp_step_up_max_age(rq->tenant->settings);
    pc_status rc;

    if (!pc_api_mfa_user_caller(rq, &p, &a) || (body = pc_api_body(rq, verify_fields, 1)) == NULL)
        goto out;
    response = json_dumps(json_object_get(body, "credential"), JSON_COMPACT);
    a.challenge = pc_passkey_response_challenge(response);
    binding = binding_of(&p);
    /* The challenge issued to this caller in this session, used up by the first try. */
    rc = pc_passkey_challenge_take(rq->tenant, a.challenge, binding);
    if (rc == PC_OK)
        rc = passkey_factor(rq->tenant, p.id, &factor);
    if (rc == PC_ERR_NOT_FOUND)
        pc_api_error(rq, PC_API_BAD_CODE,
                     "The passkey answers no live step-up challenge of this session", NULL);
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (pc_api_mfa_checked(rq, &a, factor, response, audited, &p, NULL) == PC_OK) {
        tag = proof_tag(&p);
        if ((proof = pc_passkey_secret_issue(rq->tenant, tag, ttl)) == NULL)
            pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
        else
            pc_reply_json(rq, 200,
                          json_pack("{s:s,s:I}", "step_up", proof, "expires_in", (json_int_t)ttl));
    }
out:
    pc_free_secret(proof);
    free(tag);
    free((char *)a.challenge);
    free(binding);
    free(response);
    json_decref(factor);
    json_decref(body);
    pc_principal_clear(&p);
}

pc_status pc_api_step_up_proof(pc_req *rq, const pc_principal *p, const char *proof)
{
    char *tag = proof_tag(p);
    pc_status rc = pc_passkey_secret_check(rq->tenant, tag, proof, 0);

    free(tag);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_DENIED;
}
