/* SPDX-License-Identifier: Apache-2.0 */
/* Multi-factor at the token endpoint: mfa_required after a password, and the mfa grant that completes it. */
#include "oauth2/mfa_grant.h"
#include "oauth2/mfa_token.h"
#include "oauth2/org_gate.h"
#include "oauth2/passkey.h"
#include "server/server.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

int pc_mfa_grant_allowed(const pc_client *client, const char *grant_type)
{
    if (pc_client_has_grant(client, grant_type))
        return 1;
    return strcmp(grant_type, PC_MFA_GRANT_TYPE) == 0 && pc_client_has_grant(client, "password");
}

/* A failure of the store (503) or of anything else (500): never the caller's fault. */
static void store_failed(pc_grant_ctx *ctx, pc_status rc)
{
    if (rc == PC_ERR_STORAGE)
        pc_grant_ctx_unavailable(ctx);
    else
        pc_grant_ctx_fail(ctx, 500, "server_error", NULL);
}

pc_status pc_mfa_grant_gate(pc_grant_ctx *ctx, const pc_login_attempt *a)
{
    const char *user_id = json_string_value(json_object_get(ctx->user, "id"));
    json_t *factors = NULL, *methods;
    char *token = NULL;
    pc_status rc = pc_mfa_factors(a->tenant, user_id, &factors);
    pc_mfa_pending p = {.tenant = a->tenant,
                        .user_id = user_id,
                        .client_id = a->client_id,
                        .scope = ctx->scope,
                        .ip = a->ip,
                        .provider = a->provider};

    if (rc != PC_OK) {
        store_failed(ctx, rc);
        return rc;
    }
    methods = pc_mfa_signin_methods(factors);
    json_decref(factors);
    if (json_array_size(methods) == 0 && a->tenant->mfa_required) {
        /* API.md §13 mfa_required: no token until a second factor is enrolled. */
        json_decref(methods);
        pc_grant_ctx_fail(ctx, 403, "mfa_required",
                          "this tenant requires a second factor: enrol one, then sign in again");
        ctx->error_extra = json_pack("{s:b,s:[]}", "mfa_enrolment_required", 1, "mfa_methods");
        return PC_ERR_DENIED;
    }
    if (json_array_size(methods) == 0) {
        json_decref(methods);
        return PC_OK;
    }
    p.methods = methods;
    rc = pc_mfa_token_issue(&p, &token);
    if (rc != PC_OK) {
        store_failed(ctx, rc);
    } else {
        pc_grant_ctx_fail(ctx, 403, "mfa_required",
                          "a second factor is required: use the mfa grant with mfa_token");
        ctx->error_extra = json_pack("{s:s,s:O}", "mfa_token", token, "mfa_methods", methods);
        rc = PC_ERR_DENIED;
    }
    pc_free_secret(token);
    json_decref(methods);
    return rc;
}

static void redeem_failed(pc_grant_ctx *ctx, pc_status rc)
{
    switch (rc) {
    case PC_ERR_DENIED: pc_grant_ctx_fail(ctx, 400, "invalid_grant", "wrong code"); break;
    case PC_ERR_NOT_FOUND:
        pc_grant_ctx_fail(ctx, 400, "invalid_grant",
                          "the mfa_token is invalid, expired or used up");
        break;
    case PC_ERR_INVALID:
        pc_grant_ctx_fail(ctx, 400, "invalid_request",
                          "method is not one of this sign-in's mfa_methods");
        break;
    case PC_ERR_LIMIT:
        pc_grant_ctx_fail(ctx, 429, "temporarily_unavailable", "too many wrong codes; retry later");
        break;
    default:
        pc_error("mfa grant failed: tenant=%s status=%s", ctx->rq->tenant->slug, pc_status_str(rc));
        store_failed(ctx, rc);
    }
}

/*
 * A passkey's response answers the challenge POST /api/v1/mfa/challenge bound to this
 * mfa_token: used up here, once (*challenge new), else invalid_grant.
 */
static pc_status passkey_challenge(pc_grant_ctx *ctx, const char *mfa_token, const char *method,
                                   const char *code, char **challenge)
{
    void *state = NULL;
    pc_status rc;

    *challenge = NULL;
    if (pc_passkey_scheme(method, &state) == NULL)
        return PC_OK;
    *challenge = pc_passkey_response_challenge(code);
    rc = pc_passkey_challenge_take(ctx->rq->tenant, *challenge, mfa_token);
    if (rc == PC_ERR_NOT_FOUND)
        pc_grant_ctx_fail(ctx, 400, "invalid_grant",
                          "the passkey answers no live challenge of this mfa_token");
    else if (rc != PC_OK)
        store_failed(ctx, rc);
    return rc;
}

pc_status pc_mfa_grant_subject(pc_grant_ctx *ctx, const char *mfa_token, const char *method,
                               const char *code)
{
    pc_login_attempt a = {
        .tenant = ctx->rq->tenant, .ip = ctx->rq->ip, .client_id = ctx->client->client_id};
    pc_mfa_done done;
    char sid[37], *challenge = NULL;
    pc_status rc;

    if (mfa_token == NULL || method == NULL || code == NULL) {
        pc_grant_ctx_fail(ctx, 400, "invalid_request", "mfa_token, method and code are required");
        return PC_ERR_INVALID;
    }
    rc = passkey_challenge(ctx, mfa_token, method, code, &challenge);
    if (rc != PC_OK) {
        free(challenge);
        return rc;
    }
    rc = pc_mfa_token_redeem(ctx->rq->tenant, mfa_token, ctx->client->client_id, method, code,
                             challenge, ctx->rq->ip, &done, &ctx->retry_after);
    free(challenge);
    if (rc != PC_OK) {
        redeem_failed(ctx, rc);
        return rc;
    }
    ctx->kind = SUBJECT_USER;
    ctx->user = json_incref(done.user);
    if (done.provider != NULL) { /* a directory's password (API.md §14): amr says fed too */
        json_t *first = json_pack("[s,s]", "pwd", "fed");
        ctx->amr = pc_mfa_amr_after(first, done.amr);
        json_decref(first);
        a.provider = done.provider;
    } else {
        ctx->amr = json_incref(done.amr);
    }
    ctx->auth_time = pc_now();
    free(ctx->scope);
    ctx->scope = pc_strdup(done.scope);
    /* API.md §18: then the organization, still before the session. */
    rc = pc_org_gate(ctx);
    if (rc != PC_OK) {
        pc_mfa_done_clear(&done);
        ctx->kind = SUBJECT_NONE;
        return rc;
    }
    /* The session opens only now, after the second factor. */
    rc = pc_login_open_session(&a, json_string_value(json_object_get(done.user, "id")), ctx->amr,
                               ctx->auth_time, NULL, sid);
    pc_mfa_done_clear(&done);
    if (rc != PC_OK) {
        store_failed(ctx, rc);
        return rc;
    }
    ctx->sid = pc_strdup(sid);
    return PC_OK;
}
