/* SPDX-License-Identifier: Apache-2.0 */
/* Authorization codes (RFC 6749 §4.1.2, §4.1.3): stored hashed, single use, short-lived, bound. */
#include "oauth2/code.h"
#include "iam/users.h"
#include "oauth2/changes.h"
#include "oauth2/org_gate.h"
#include "oauth2/pkce.h"
#include "oauth2/refresh.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CODE_BYTES 32

/* code_take is a trailing operation: read it only if the plugin's table has it. */
static int store_has_code_take(void)
{
    return PC_DB->base.struct_size >=
               offsetof(pc_storage_ops, code_take) + sizeof PC_DB->code_take &&
           PC_DB->code_take != NULL;
}

pc_status pc_code_store(const pc_tenant *t, const char *id, const pc_code_grant *g,
                        int64_t expires_at)
{
    int64_t now = pc_now();
    json_t *rec;
    pc_status rc;

    rec = json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s?,s:s,s:s,s:s,s:O,s:I,s:I,s:I}", "id", id,
                    "tenant_id", t->id, "client_id", g->client_id, "redirect_uri", g->redirect_uri,
                    "code_challenge", g->code_challenge, "nonce", g->nonce, "user_id", g->user_id,
                    "sid", g->sid, "scope", g->scope, "amr", g->amr, "auth_time",
                    (json_int_t)g->auth_time, "created_at", (json_int_t)now, "expires_at",
                    (json_int_t)expires_at);
    if (rec != NULL && g->org_id != NULL) /* API.md §18 */
        json_object_set_new(rec, "org_id", json_string(g->org_id));
    if (rec != NULL && g->dpop_jkt != NULL) /* RFC 9449 §10 */
        json_object_set_new(rec, "dpop_jkt", json_string(g->dpop_jkt));
    rc = rec ? pc_db_insert(NULL, PC_ENT_CODE, rec, NULL, 0) : PC_ERR_INTERNAL;
    json_decref(rec);
    return rc;
}

pc_status pc_code_issue(const pc_tenant *t, const pc_code_grant *g, char **code)
{
    char *plain = pc_random_token(CODE_BYTES), *id = pc_sha256_hex(plain);
    pc_status rc = pc_code_store(t, id, g, pc_now() + t->code_ttl);

    free(id);
    if (rc != PC_OK) {
        pc_free_secret(plain);
        return rc;
    }
    *code = plain;
    return PC_OK;
}

/* RFC 6749 §4.1.2 / §10.5: a code used twice revokes the tokens issued with it. */
static pc_status replayed(pc_grant_ctx *ctx, const json_t *rec)
{
    const pc_tenant *t = ctx->rq->tenant;
    const char *family = json_string_value(json_object_get(rec, "family_id"));
    const char *jti = json_string_value(json_object_get(rec, "access_jti"));
    json_t *details = json_pack("{s:s}", "grant", "authorization_code");

    if (jti != NULL &&
        pc_change_write(NULL, t->id, "jti", jti,
                        json_integer_value(json_object_get(rec, "access_exp"))) == PC_OK)
        pc_changes_sync();
    if (family != NULL)
        pc_refresh_revoke_family(t, family);
    pc_audit_record(NULL, t->id, "token.replayed", ctx->client->client_id,
                    json_string_value(json_object_get(rec, "user_id")), ctx->rq->ip, details);
    json_decref(details);
    pc_grant_ctx_fail(ctx, 400, "invalid_grant", "authorization code was already used");
    return PC_ERR_DENIED;
}

/* RFC 6749 §4.1.3 and RFC 7636 §4.6: the code must come back from where it went. */
static const char *binding_problem(const pc_grant_ctx *ctx, const json_t *rec,
                                   const char *redirect_uri, const char *verifier)
{
    const char *challenge = json_string_value(json_object_get(rec, "code_challenge"));
    const char *jkt = json_string_value(json_object_get(rec, "dpop_jkt"));

    if (strcmp(json_string_value(json_object_get(rec, "client_id")), ctx->client->client_id) != 0)
        return "authorization code was issued to another client";
    /* RFC 9449 §10: a code bound to a key is redeemed with a proof of that key only */
    if (jkt != NULL && (ctx->jkt == NULL || strcmp(jkt, ctx->jkt) != 0))
        return "the authorization code is bound to a DPoP key: send a DPoP proof of that key";
    /* A device authorization (RFC 8628) is redeemed by its own grant only. */
    if (redirect_uri == NULL || strcmp(redirect_uri, PC_CODE_DEVICE) == 0 ||
        strcmp(json_string_value(json_object_get(rec, "redirect_uri")), redirect_uri) != 0)
        return "redirect_uri does not match the authorization request";
    if (challenge == NULL && (verifier != NULL || ctx->client->is_public))
        return "code_verifier without a code_challenge";
    if (challenge != NULL && verifier == NULL)
        return "code_verifier is required";
    if (challenge != NULL && pc_oauth2_pkce_verify(challenge, verifier) != PC_OK)
        return "code_verifier does not match the code_challenge";
    return NULL;
}

/* RFC 8628 §3.4: the device record must be this client's and be one. */
static const char *device_problem(const pc_grant_ctx *ctx, const json_t *rec)
{
    if (strcmp(json_string_value(json_object_get(rec, "client_id")), ctx->client->client_id) != 0)
        return "device code was issued to another client";
    if (strcmp(json_string_value(json_object_get(rec, "redirect_uri")), PC_CODE_DEVICE) != 0)
        return "unknown device code";
    return NULL;
}

static pc_status adopt(pc_grant_ctx *ctx, const json_t *rec)
{
    const char *sid = json_string_value(json_object_get(rec, "sid"));
    json_t *user = NULL;
    char family[37];
    pc_status rc = pc_changes_sid_ended(sid)
                       ? PC_ERR_DENIED
                       : pc_db_get(NULL, PC_ENT_USER, ctx->rq->tenant->id, "id",
                                   json_string_value(json_object_get(rec, "user_id")), &user);

    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    if (rc != PC_OK || !pc_iam_user_active(user, pc_now())) {
        json_decref(user);
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "the session of this code has ended");
        return PC_ERR_DENIED;
    }
    pc_uuid7(family);
    ctx->user = user;
    ctx->kind = SUBJECT_USER;
    ctx->sid = pc_strdup(sid);
    ctx->amr = json_incref(json_object_get(rec, "amr"));
    ctx->auth_time = json_integer_value(json_object_get(rec, "auth_time"));
    ctx->scope = pc_strdup(json_string_value(json_object_get(rec, "scope")));
    ctx->nonce = pc_strdup(json_string_value(json_object_get(rec, "nonce")));
    ctx->family_id = pc_strdup(family);
    ctx->code_id = pc_strdup(json_string_value(json_object_get(rec, "id")));
    /* API.md §18: the organization chosen at sign-in. */
    return pc_org_carry(ctx, json_string_value(json_object_get(rec, "org_id")),
                        json_integer_value(json_object_get(rec, "created_at")));
}

/* Take code record `id` once; a device record (redirect_uri NULL) skips the redirect and PKCE binding. */
static pc_status take(pc_grant_ctx *ctx, const char *id, const char *redirect_uri,
                      const char *code_verifier)
{
    const char *problem;
    json_t *rec = NULL;
    pc_status rc;

    /* RFC 6749 §4.1.2: single use, so take it atomically before anything else. */
    rc = PC_DB->code_take(PC_DBS, NULL, ctx->rq->tenant->id, id, pc_now(), &rec);
    if (rc == PC_ERR_CONFLICT) {
        rc = replayed(ctx, rec);
        goto out;
    }
    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx); /* the code stays unused: the client may retry */
        goto out;
    }
    if (rc != PC_OK) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "authorization code is invalid or expired");
        goto out;
    }
    problem = redirect_uri != NULL ? binding_problem(ctx, rec, redirect_uri, code_verifier)
                                   : device_problem(ctx, rec);
    if (problem != NULL) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", problem);
        rc = PC_ERR_DENIED;
        goto out;
    }
    rc = adopt(ctx, rec);
out:
    json_decref(rec);
    return rc;
}

pc_status pc_code_redeem(pc_grant_ctx *ctx, const char *code, const char *redirect_uri,
                         const char *code_verifier)
{
    char *id;
    pc_status rc;

    if (code == NULL || *code == '\0' || strlen(code) > 512 || !store_has_code_take()) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown authorization code");
        return PC_ERR_DENIED;
    }
    id = pc_sha256_hex(code);
    /* No redirect_uri is a binding failure here, never the device path. */
    rc = take(ctx, id, redirect_uri ? redirect_uri : "", code_verifier);
    free(id);
    return rc;
}

pc_status pc_code_redeem_device(pc_grant_ctx *ctx, const char *id)
{
    if (!store_has_code_take()) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown device code");
        return PC_ERR_DENIED;
    }
    return take(ctx, id, NULL, NULL);
}

void pc_code_issued(const pc_grant_ctx *ctx, const pc_minted *access)
{
    json_t *patch = json_pack("{s:s?,s:s,s:I}", "family_id", ctx->family_id, "access_jti",
                              access->jti, "access_exp", (json_int_t)access->exp);
    pc_status rc =
        pc_db_update(NULL, PC_ENT_CODE, ctx->rq->tenant->id, ctx->code_id, patch, NULL, 0);

    if (rc != PC_OK)
        pc_warn("cannot record what a code redemption issued: tenant=%s status=%s",
                ctx->rq->tenant->slug, pc_status_str(rc));
    json_decref(patch);
}
