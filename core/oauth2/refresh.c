/* SPDX-License-Identifier: Apache-2.0 */
/* Refresh tokens: opaque, stored hashed, rotated on every use; a replay revokes the whole family. */
#include "oauth2/refresh.h"
#include "oauth2/changes.h"
#include "oidc/claims.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32 /* 256 bits */

json_t *pc_refresh_lookup(const pc_tenant *t, const char *token)
{
    char *id = pc_sha256_hex(token);
    json_t *rec = NULL;

    pc_db_get(NULL, PC_ENT_REFRESH, t->id, "id", id, &rec);
    free(id);
    return rec;
}

pc_status pc_refresh_revoke_family(const pc_tenant *t, const char *family_id)
{
    json_t *jtis = NULL, *j;
    size_t i;
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = PC_DB->refresh_revoke(PC_DBS, tx, t->id, "family_id", family_id, pc_now(), &jtis);
    json_array_foreach (jtis, i, j) {
        if (rc == PC_OK)
            rc = pc_change_write(tx, t->id, "jti", json_string_value(json_object_get(j, "jti")),
                                 json_integer_value(json_object_get(j, "exp")));
    }
    json_decref(jtis);
    rc = tx ? pc_db_finish(tx, rc) : rc;
    pc_changes_sync();
    return rc;
}

static pc_status replayed(pc_grant_ctx *ctx, const json_t *rec)
{
    const pc_tenant *t = ctx->rq->tenant;
    json_t *details =
        json_pack("{s:s}", "family_id", json_string_value(json_object_get(rec, "family_id")));

    /* A rotated token came back: someone holds a copy. Cut the whole chain. */
    pc_refresh_revoke_family(t, json_string_value(json_object_get(rec, "family_id")));
    pc_audit_record(NULL, t->id, "token.replayed", ctx->client->client_id,
                    json_string_value(json_object_get(rec, "user_id")), ctx->rq->ip, details);
    json_decref(details);
    pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token was already used");
    return PC_ERR_DENIED;
}

/* RFC 6749 §6: a narrower scope may be asked for, never a wider one. */
static pc_status settle_scope(pc_grant_ctx *ctx, const char *original)
{
    const char *want = pc_oauth_param(ctx->rq, "scope");
    char *copy, *item, *save = NULL;
    pc_status rc = PC_OK;

    if (want == NULL) {
        ctx->scope = pc_strdup(original);
        return PC_OK;
    }
    copy = pc_strdup(want);
    for (item = strtok_r(copy, " ", &save); item; item = strtok_r(NULL, " ", &save))
        if (!pc_scope_has(original, item))
            rc = PC_ERR_DENIED;
    free(copy);
    if (rc != PC_OK) {
        pc_grant_ctx_fail(ctx, 400, "invalid_scope", "scope exceeds what was granted");
        return rc;
    }
    ctx->scope = pc_strdup(want);
    return PC_OK;
}

/*
 * The user behind the token, read after the rotation committed. An ID token
 * needs the user's claims, so with `openid` the record is read (and a
 * deleted user refused). Without it the token needs only the subject's id:
 * deleting a user revokes the user's refresh tokens in the same transaction
 * (pc_session_end_all), so a token that could be taken belongs to a user who
 * existed when it was taken.
 */
static pc_status load_user(pc_grant_ctx *ctx, const char *uid)
{
    json_t *user = NULL;

    if (!pc_scope_has(ctx->scope, "openid")) {
        ctx->user = json_pack("{s:s}", "id", uid);
        return ctx->user ? PC_OK : PC_ERR_INTERNAL;
    }
    if (pc_db_get(NULL, PC_ENT_USER, ctx->rq->tenant->id, "id", uid, &user) != PC_OK ||
        !json_is_null(json_object_get(user, "deleted_at"))) {
        json_decref(user);
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token is no longer valid");
        return PC_ERR_DENIED;
    }
    ctx->user = user;
    return PC_OK;
}

/* What the successor inherits from the token just taken. */
static pc_status adopt(pc_grant_ctx *ctx, const json_t *rec)
{
    const char *sid = json_string_value(json_object_get(rec, "sid"));

    if (json_string_value(json_object_get(rec, "user_id")) == NULL ||
        (sid != NULL && pc_changes_sid_ended(sid))) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token is no longer valid");
        return PC_ERR_DENIED;
    }
    ctx->kind = SUBJECT_USER;
    ctx->sid = pc_strdup(sid);
    ctx->amr = json_incref(json_object_get(rec, "amr"));
    ctx->auth_time = json_integer_value(json_object_get(rec, "auth_time"));
    ctx->family_id = pc_strdup(json_string_value(json_object_get(rec, "family_id")));
    ctx->want_refresh = 1;
    return settle_scope(ctx, json_string_value(json_object_get(rec, "scope")));
}

/* Store refresh token `tok` for ctx's subject, minted beside access token `jti`. */
static pc_status store_new(pc_store_tx *tx, const pc_grant_ctx *ctx, const char *user_id,
                           const char *jti, int64_t access_exp, const char *tok)
{
    const pc_tenant *t = ctx->rq->tenant;
    char family[37], *id = pc_sha256_hex(tok);
    int64_t now = pc_now();
    json_t *rec;
    pc_status rc;

    if (ctx->family_id == NULL)
        pc_uuid7(family);
    rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:O,s:I,s:I,s:I,s:n,s:n,s:s,s:I}", "id", id,
                    "tenant_id", t->id, "family_id", ctx->family_id ? ctx->family_id : family,
                    "client_id", ctx->client->client_id, "user_id", user_id, "sid", ctx->sid,
                    "scope", ctx->scope ? ctx->scope : "", "amr", ctx->amr, "auth_time",
                    (json_int_t)ctx->auth_time, "created_at", (json_int_t)now, "expires_at",
                    (json_int_t)(now + t->refresh_ttl), "rotated_at", "revoked_at", "access_jti",
                    jti, "access_exp", (json_int_t)access_exp);
    rc = rec ? pc_db_insert(tx, PC_ENT_REFRESH, rec, NULL, 0) : PC_ERR_INTERNAL;
    json_decref(rec);
    free(id);
    return rc;
}

/* Only the client a token was issued to may use it: checked before anything is rotated. */
static pc_status check_client(pc_grant_ctx *ctx, const char *id)
{
    json_t *rec = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_REFRESH, ctx->rq->tenant->id, "id", id, &rec);

    if (rc != PC_OK ||
        strcmp(json_string_value(json_object_get(rec, "client_id")), ctx->client->client_id) != 0) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        rc = PC_ERR_DENIED;
    }
    json_decref(rec);
    return rc;
}

/* Take token `id` and store its successor `next` in one transaction, so a failure loses neither. */
static pc_status rotate(pc_grant_ctx *ctx, const char *id, const char *next, json_t **taken)
{
    const pc_tenant *t = ctx->rq->tenant;
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc != PC_OK)
        return rc;
    rc = PC_DB->refresh_take(PC_DBS, tx, t->id, id, pc_now(), taken);
    if (rc != PC_OK && rc != PC_ERR_CONFLICT)
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token expired or revoked");
    if (rc == PC_OK)
        rc = adopt(ctx, *taken);
    if (rc == PC_OK)
        rc = store_new(tx, ctx, json_string_value(json_object_get(*taken, "user_id")),
                       ctx->access_jti, ctx->access_iat + t->access_ttl, next);
    return pc_db_finish(tx, rc);
}

/*
 * The access token's id and issue time are fixed first for the successor to
 * record, and everything that needs no lock is done before the write
 * transaction: SQLite has one writer, so its length bounds the refresh rate.
 * Signing comes after the commit.
 */
pc_status pc_refresh_redeem(pc_grant_ctx *ctx, const char *token)
{
    char *id = NULL, *next = NULL;
    json_t *taken = NULL;
    pc_status rc;

    if (token == NULL || *token == '\0') {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        return PC_ERR_DENIED;
    }
    id = pc_sha256_hex(token);
    next = pc_random_token(TOKEN_BYTES);
    pc_uuid7(ctx->access_jti);
    ctx->access_iat = pc_now();
    rc = check_client(ctx, id);
    if (rc == PC_OK)
        rc = rotate(ctx, id, next, &taken);
    if (rc == PC_OK) {
        ctx->rotated_refresh = next;
        next = NULL;
        rc = load_user(ctx, json_string_value(json_object_get(taken, "user_id")));
    } else if (rc == PC_ERR_CONFLICT) {
        rc = replayed(ctx, taken);
    } else if (ctx->error == NULL) {
        pc_grant_ctx_fail(ctx, 500, "server_error", NULL);
    }
    if (rc != PC_OK)
        ctx->kind = SUBJECT_NONE;
    pc_free_secret(next);
    free(id);
    json_decref(taken);
    return rc;
}

pc_status pc_refresh_issue(const pc_grant_ctx *ctx, const pc_minted *access, char **token)
{
    char *tok = pc_random_token(TOKEN_BYTES);
    pc_status rc = store_new(NULL, ctx, json_string_value(json_object_get(ctx->user, "id")),
                             access->jti, access->exp, tok);

    if (rc != PC_OK) {
        pc_free_secret(tok);
        return rc;
    }
    *token = tok;
    return PC_OK;
}
