/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Refresh tokens, rotated on every use: one record per grant (a token family)
 * holds the generation of its one valid token and the hash of that token's
 * secret (refresh_token.c has the format). A refresh rewrites the record with
 * one conditional write; an earlier generation coming back is a replay and
 * revokes the grant, with every access token minted from it.
 */
#include "oauth2/refresh.h"
#include "oauth2/changes.h"
#include "oauth2/refresh_token.h"
#include "oidc/claims.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Is the opened token its grant's current one (not an earlier generation)? */
static int is_current(const json_t *rec, int64_t generation, const char *secret_hash)
{
    return json_integer_value(json_object_get(rec, "generation")) == generation &&
           pc_ct_streq(json_string_value(json_object_get(rec, "secret_hash")), secret_hash);
}

json_t *pc_refresh_lookup(const pc_tenant *t, const char *token, int *current)
{
    char grant[37], hash[PC_REFRESH_HASH_LEN];
    int64_t generation;
    json_t *rec = NULL;
    pc_status rc;

    if (!pc_refresh_token_open(t->id, token, grant, &generation, hash))
        return NULL;
    rc = pc_db_get(NULL, PC_ENT_REFRESH, t->id, "id", grant, &rec);
    if (rc != PC_OK) {
        if (current != NULL && rc == PC_ERR_STORAGE)
            *current = -1; /* the store cannot tell: not an unknown token */
        return NULL;
    }
    if (current != NULL)
        *current = is_current(rec, generation, hash);
    return rec;
}

/* Access tokens of the grant live at most access_ttl past now: so does its entry. */
static pc_status revoke_once(const pc_tenant *t, const char *family_id)
{
    pc_store_tx *tx = NULL;
    int64_t now = pc_now();
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = PC_DB->refresh_revoke(PC_DBS, tx, t->id, "id", family_id, now, NULL);
    if (rc == PC_OK)
        rc = pc_change_write(tx, t->id, "grant", family_id, now + t->access_ttl + 60);
    return tx ? pc_db_finish(tx, rc) : rc;
}

/* A replay is often the only sign of a stolen token: a busy store gets more
 * than one chance, and a revocation that still fails is logged as an error. */
pc_status pc_refresh_revoke_family(const pc_tenant *t, const char *family_id)
{
    pc_status rc = PC_ERR_STORAGE;

    for (int attempt = 0; attempt < 3 && rc != PC_OK; attempt++)
        rc = revoke_once(t, family_id);
    if (rc != PC_OK)
        pc_error("refresh grant %s could not be revoked: %s", family_id, pc_status_str(rc));
    pc_changes_sync();
    return rc;
}

static pc_status replayed(pc_grant_ctx *ctx, const json_t *rec)
{
    const pc_tenant *t = ctx->rq->tenant;
    const char *grant = json_string_value(json_object_get(rec, "id"));
    json_t *details = json_pack("{s:s}", "family_id", grant);

    /* An earlier token came back: someone holds a copy. Cut the whole grant. */
    pc_refresh_revoke_family(t, grant);
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
 * The user behind the token, read after the rotation. An ID token
 * needs the user's claims, so with `openid` the record is read (and a
 * deleted user refused). Without it the token needs only the subject's id:
 * deleting a user revokes the user's refresh tokens in the same transaction
 * (pc_session_end_all), so a grant that could be rotated belongs to a user
 * who existed when it was.
 */
static pc_status load_user(pc_grant_ctx *ctx, const char *uid)
{
    json_t *user = NULL;
    pc_status rc;

    if (!pc_scope_has(ctx->scope, "openid")) {
        ctx->user = json_pack("{s:s}", "id", uid);
        return ctx->user ? PC_OK : PC_ERR_INTERNAL;
    }
    rc = pc_db_get(NULL, PC_ENT_USER, ctx->rq->tenant->id, "id", uid, &user);
    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    if (rc != PC_OK || !json_is_null(json_object_get(user, "deleted_at"))) {
        json_decref(user);
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token is no longer valid");
        return PC_ERR_DENIED;
    }
    ctx->user = user;
    return PC_OK;
}

/* What the new token's subject carries over from its grant. */
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
    ctx->want_refresh = 1;
    return ctx->scope ? PC_OK : settle_scope(ctx, json_string_value(json_object_get(rec, "scope")));
}

/* The grant named by a genuine token, if it is this client's and still usable:
 * PC_OK for its current token, PC_ERR_CONFLICT for an earlier one. */
static pc_status usable_grant(pc_grant_ctx *ctx, const char *grant, int64_t generation,
                              const char *secret_hash, json_t **rec)
{
    const char *client = NULL;
    int64_t current;

    pc_status rc = pc_db_get(NULL, PC_ENT_REFRESH, ctx->rq->tenant->id, "id", grant, rec);

    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    if (rc == PC_OK)
        client = json_string_value(json_object_get(*rec, "client_id"));
    /* Only the client it was issued to may use it, or even learn that it is alive. */
    if (client == NULL || strcmp(client, ctx->client->client_id) != 0) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        return PC_ERR_DENIED;
    }
    current = json_integer_value(json_object_get(*rec, "generation"));
    if (!json_is_null(json_object_get(*rec, "revoked_at")) ||
        json_integer_value(json_object_get(*rec, "expires_at")) <= pc_now() ||
        current < generation) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token expired or revoked");
        return PC_ERR_DENIED;
    }
    if (current > generation)
        return PC_ERR_CONFLICT;
    /* The MAC held, so only a store restored from an older copy gets here. */
    if (!is_current(*rec, generation, secret_hash)) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

/* Advance the grant past the presented token: the one statement of a refresh.
 * *rec receives the grant as updated (PC_OK) or as found (PC_ERR_CONFLICT). */
static pc_status rotate(pc_grant_ctx *ctx, int64_t generation, const char *secret_hash,
                        json_t **rec)
{
    const pc_tenant *t = ctx->rq->tenant;
    char next_hash[PC_REFRESH_HASH_LEN];
    char *next = pc_refresh_token_make(t->id, ctx->family_id, generation + 1, next_hash);
    int64_t now = pc_now();
    pc_status rc;

    if (next == NULL)
        return PC_ERR_INTERNAL;
    /* The grant keeps its scope (RFC 6749 §6); a narrower one is the access token's only. */
    rc = PC_DB->refresh_rotate(PC_DBS, NULL, t->id, ctx->family_id, generation,
                               ctx->client->client_id, secret_hash, next_hash, now + t->refresh_ttl,
                               now, rec);
    if (rc == PC_OK) {
        ctx->rotated_refresh = next;
        next = NULL;
    } else if (rc == PC_ERR_NOT_FOUND) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token expired or revoked");
    }
    pc_free_secret(next);
    return rc;
}

/* An earlier token of a grant came back: a replay if its own client sent it. */
static pc_status earlier_token(pc_grant_ctx *ctx, const json_t *rec)
{
    const char *client = json_string_value(json_object_get(rec, "client_id"));

    if (client != NULL && strcmp(client, ctx->client->client_id) == 0)
        return replayed(ctx, rec);
    pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
    return PC_ERR_DENIED;
}

/*
 * Without a scope parameter a refresh is one conditional write. A narrower
 * scope is checked against the grant first, so that a refused one leaves the
 * token usable.
 */
pc_status pc_refresh_redeem(pc_grant_ctx *ctx, const char *token)
{
    char grant[37], hash[PC_REFRESH_HASH_LEN];
    int64_t generation;
    json_t *rec = NULL;
    pc_status rc = PC_OK;

    if (!pc_refresh_token_open(ctx->rq->tenant->id, token, grant, &generation, hash)) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        return PC_ERR_DENIED;
    }
    ctx->family_id = pc_strdup(grant);
    if (pc_oauth_param(ctx->rq, "scope") != NULL) {
        rc = usable_grant(ctx, grant, generation, hash, &rec);
        if (rc == PC_OK)
            rc = settle_scope(ctx, json_string_value(json_object_get(rec, "scope")));
        if (rc == PC_OK) {
            json_decref(rec);
            rec = NULL;
        }
    }
    if (rc == PC_OK)
        rc = rotate(ctx, generation, hash, &rec);
    if (rc == PC_OK)
        rc = adopt(ctx, rec);
    if (rc == PC_OK)
        rc = load_user(ctx, json_string_value(json_object_get(rec, "user_id")));
    else if (rc == PC_ERR_CONFLICT)
        rc = earlier_token(ctx, rec);
    else if (rc == PC_ERR_STORAGE && ctx->error == NULL)
        pc_grant_ctx_unavailable(ctx);
    else if (ctx->error == NULL)
        pc_grant_ctx_fail(ctx, 500, "server_error", NULL);
    if (rc != PC_OK)
        ctx->kind = SUBJECT_NONE;
    json_decref(rec);
    return rc;
}

pc_status pc_refresh_issue(const pc_grant_ctx *ctx, char **token)
{
    const pc_tenant *t = ctx->rq->tenant;
    char hash[PC_REFRESH_HASH_LEN];
    int64_t now = pc_now();
    char *tok;
    json_t *rec;
    pc_status rc;

    /* The grant id was chosen before the access token was minted. */
    if (ctx->family_id == NULL ||
        (tok = pc_refresh_token_make(t->id, ctx->family_id, 0, hash)) == NULL)
        return PC_ERR_INTERNAL;
    rec = json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s,s:O,s:I,s:i,s:s,s:I,s:I,s:n,s:n}", "id",
                    ctx->family_id, "tenant_id", t->id, "client_id", ctx->client->client_id,
                    "user_id", json_string_value(json_object_get(ctx->user, "id")), "sid", ctx->sid,
                    "scope", ctx->scope ? ctx->scope : "", "amr", ctx->amr, "auth_time",
                    (json_int_t)ctx->auth_time, "generation", 0, "secret_hash", hash, "created_at",
                    (json_int_t)now, "expires_at", (json_int_t)(now + t->refresh_ttl), "rotated_at",
                    "revoked_at");
    rc = rec ? pc_db_insert(NULL, PC_ENT_REFRESH, rec, NULL, 0) : PC_ERR_INTERNAL;
    json_decref(rec);
    if (rc != PC_OK) {
        pc_free_secret(tok);
        return rc;
    }
    *token = tok;
    return PC_OK;
}
