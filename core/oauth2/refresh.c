/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Refresh tokens, rotated on every use: one record per grant (a token family)
 * holds the generation of its one valid token, the hash of that token's
 * secret, and the hash of the token its last rotation replaced
 * (refresh_token.c has the format). A refresh reads everything its answer
 * needs, then rewrites the record with one conditional write. The token just
 * replaced may come back for refresh_grace seconds (a retry whose answer was
 * lost) and gets a fresh successor; any other earlier token is a replay and
 * revokes the grant, with every access token minted from it.
 */
#include "oauth2/refresh.h"
#include "oauth2/org_gate.h"
#include "iam/users.h"
#include "oauth2/changes.h"
#include "oauth2/refresh_token.h"
#include "oauth2/session.h"
#include "oidc/claims.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Which token of its grant was presented. */
typedef enum { TOKEN_CURRENT, TOKEN_REPLACED, TOKEN_EARLIER, TOKEN_UNKNOWN } token_age;

/* What an opened refresh token says. */
typedef struct presented {
    char grant[37];
    int64_t generation;
    char hash[PC_REFRESH_HASH_LEN];
} presented;

/* Is the opened token its grant's current one (not an earlier generation)? */
static int is_current(const json_t *rec, int64_t generation, const char *secret_hash)
{
    return json_integer_value(json_object_get(rec, "generation")) == generation &&
           pc_ct_streq(json_string_value(json_object_get(rec, "secret_hash")), secret_hash);
}

/* Is the grant's session (if it has one) gone, ended, expired or idle? 1 or 0, and -1 when
 * the store cannot tell (a store failure is not an answer). */
static int session_over(const pc_tenant *t, const json_t *rec)
{
    const char *sid = json_string_value(json_object_get(rec, "sid"));
    json_t *s = NULL;
    pc_status rc;

    if (sid == NULL)
        return 0;
    if (pc_changes_sid_ended(sid))
        return 1;
    rc = pc_db_get(NULL, PC_ENT_SESSION, t->id, "id", sid, &s);
    rc = rc == PC_OK && !pc_session_usable(s, pc_now()) ? PC_ERR_NOT_FOUND : rc;
    json_decref(s);
    return rc == PC_OK ? 0 : rc == PC_ERR_NOT_FOUND ? 1 : -1;
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
    if (current != NULL && is_current(rec, generation, hash)) {
        int over = session_over(t, rec);
        if (over < 0) {
            json_decref(rec);
            *current = -1;
            return NULL;
        }
        *current = !over;
    } else if (current != NULL) {
        *current = 0;
    }
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

/* A store that failed is not a refused grant: the client may retry. */
static pc_status unavailable(pc_grant_ctx *ctx)
{
    pc_grant_ctx_unavailable(ctx);
    return PC_ERR_STORAGE;
}

/*
 * The user behind the token. An ID token needs the user's claims, so with
 * `openid` the record is read (and a deleted user refused). Without it the
 * token needs only the subject's id: deleting a user revokes the user's
 * refresh tokens in the same transaction (pc_session_end_all), so a live
 * grant belongs to a user who exists.
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
    if (rc != PC_OK && rc != PC_ERR_NOT_FOUND)
        return unavailable(ctx);
    if (rc != PC_OK || !pc_iam_user_active(user, pc_now())) {
        json_decref(user);
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token is no longer valid");
        return PC_ERR_DENIED;
    }
    ctx->user = user;
    return PC_OK;
}

/* The session the grant was issued in must still be usable; the refresh counts as its use. */
static pc_status check_session(pc_grant_ctx *ctx, const char *sid)
{
    json_t *s = NULL;
    pc_status rc;

    if (sid == NULL)
        return PC_OK;
    rc = pc_session_use(ctx->rq->tenant, sid, &s);
    json_decref(s);
    if (rc == PC_ERR_NOT_FOUND) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "the session of this refresh token has ended");
        return PC_ERR_DENIED;
    }
    return rc == PC_OK ? PC_OK : unavailable(ctx);
}

/* Everything the answer needs, read before the rotation commits: subject, session, scope, user. */
static pc_status adopt(pc_grant_ctx *ctx, const json_t *rec)
{
    const char *sid = json_string_value(json_object_get(rec, "sid"));
    const char *uid = json_string_value(json_object_get(rec, "user_id"));
    pc_status rc;

    if (uid == NULL) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token is no longer valid");
        return PC_ERR_DENIED;
    }
    /* RFC 9449 §5: a public client's refresh token works only with a proof of its key */
    if (json_is_string(json_object_get(rec, "jkt")) &&
        (ctx->jkt == NULL ||
         strcmp(ctx->jkt, json_string_value(json_object_get(rec, "jkt"))) != 0)) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant",
                          "this refresh token is bound to a DPoP key: send a proof of that key");
        return PC_ERR_DENIED;
    }
    rc = check_session(ctx, sid);
    if (rc == PC_OK)
        rc = settle_scope(ctx, json_string_value(json_object_get(rec, "scope")));
    if (rc == PC_OK)
        rc = load_user(ctx, uid);
    /* API.md §18: bound to its organization, checked before the rotation. */
    if (rc == PC_OK)
        rc = pc_org_carry(ctx, json_string_value(json_object_get(rec, "org_id")),
                          json_integer_value(json_object_get(rec, "created_at")));
    if (rc != PC_OK)
        return rc;
    ctx->kind = SUBJECT_USER;
    ctx->sid = pc_strdup(sid);
    ctx->amr = json_incref(json_object_get(rec, "amr"));
    ctx->auth_time = json_integer_value(json_object_get(rec, "auth_time"));
    ctx->want_refresh = 1;
    return PC_OK;
}

/* The grant named by a genuine token, if it is this client's and still live. */
static pc_status find_grant(pc_grant_ctx *ctx, const char *grant, json_t **rec)
{
    const char *client = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_REFRESH, ctx->rq->tenant->id, "id", grant, rec);

    if (rc != PC_OK && rc != PC_ERR_NOT_FOUND)
        return unavailable(ctx);
    if (rc == PC_OK)
        client = json_string_value(json_object_get(*rec, "client_id"));
    /* Only the client it was issued to may use it, or even learn that it is alive. */
    if (client == NULL || strcmp(client, ctx->client->client_id) != 0) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        return PC_ERR_DENIED;
    }
    if (!json_is_null(json_object_get(*rec, "revoked_at")) ||
        json_integer_value(json_object_get(*rec, "expires_at")) <= pc_now()) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token expired or revoked");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

/* Can this store rotate on behalf of the replaced token (a trailing op, schema 5)? */
static int grace_enabled(void)
{
    return pc_srv->cfg.refresh_grace > 0 &&
           PC_DB->base.struct_size >= offsetof(pc_storage_ops, refresh_rotate_grace) +
                                          sizeof PC_DB->refresh_rotate_grace &&
           PC_DB->refresh_rotate_grace != NULL;
}

/* The just-replaced token, back within the grace window: a retry whose answer was lost. */
static int in_grace(const json_t *rec, const char *hash, int64_t now)
{
    const char *prev = json_string_value(json_object_get(rec, "prev_hash"));
    json_t *at = json_object_get(rec, "rotated_at");

    return grace_enabled() && prev != NULL && json_is_integer(at) &&
           json_integer_value(at) + pc_srv->cfg.refresh_grace >= now && pc_ct_streq(prev, hash);
}

static token_age age_of(const json_t *rec, const presented *p, int64_t now)
{
    int64_t current = json_integer_value(json_object_get(rec, "generation"));

    if (is_current(rec, p->generation, p->hash))
        return TOKEN_CURRENT;
    /* A generation the grant never reached, or a secret it never held: only a
     * store restored from an older copy gets here, since the MAC held. */
    if (p->generation >= current)
        return TOKEN_UNKNOWN;
    return in_grace(rec, p->hash, now) ? TOKEN_REPLACED : TOKEN_EARLIER;
}

/* Two uses raced and this one lost. Without a grace window that is a replay;
 * with one, the other use's successor is the chain that goes on. */
static pc_status lost_race(pc_grant_ctx *ctx, const json_t *rec)
{
    if (!grace_enabled())
        return replayed(ctx, rec);
    pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token was used concurrently");
    return PC_ERR_DENIED;
}

/* Advance the grant past its current token: the one write of a refresh. */
static pc_status rotate(pc_grant_ctx *ctx, const json_t *rec, const presented *p, token_age age)
{
    const pc_tenant *t = ctx->rq->tenant;
    int64_t from = json_integer_value(json_object_get(rec, "generation")), now = pc_now();
    char next_hash[PC_REFRESH_HASH_LEN];
    char *next = pc_refresh_token_make(t->id, ctx->family_id, from + 1, next_hash);
    json_t *after = NULL;
    pc_status rc;

    if (next == NULL)
        return PC_ERR_INTERNAL;
    /* The grant keeps its scope (RFC 6749 §6); a narrower one is the access token's only. */
    if (age == TOKEN_CURRENT)
        rc =
            PC_DB->refresh_rotate(PC_DBS, NULL, t->id, ctx->family_id, from, ctx->client->client_id,
                                  p->hash, next_hash, now + t->refresh_ttl, now, &after);
    else
        rc = PC_DB->refresh_rotate_grace(
            PC_DBS, NULL, t->id, ctx->family_id, from, ctx->client->client_id, p->hash,
            now - pc_srv->cfg.refresh_grace, next_hash, now + t->refresh_ttl, now, &after);
    if (rc == PC_OK) {
        ctx->rotated_refresh = next;
        next = NULL;
    } else if (rc == PC_ERR_NOT_FOUND) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "refresh token expired or revoked");
    } else if (rc == PC_ERR_CONFLICT) {
        rc = lost_race(ctx, after ? after : rec);
    } else {
        rc = unavailable(ctx);
    }
    json_decref(after);
    pc_free_secret(next);
    return rc;
}

/* Is the presented token one this grant may rotate on? A replay is answered here. */
static pc_status judge(pc_grant_ctx *ctx, const json_t *rec, const presented *p, token_age *age)
{
    *age = age_of(rec, p, pc_now());
    if (*age == TOKEN_EARLIER)
        return replayed(ctx, rec);
    if (*age == TOKEN_UNKNOWN) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

/*
 * Everything the answer needs is read first (grant, session, user), then one
 * conditional write rotates: a refused scope or a failed read leaves the token
 * usable, and nothing but the reply itself can be lost after the write.
 */
pc_status pc_refresh_redeem(pc_grant_ctx *ctx, const char *token)
{
    presented p;
    token_age age = TOKEN_UNKNOWN;
    json_t *rec = NULL;
    pc_status rc;

    if (!pc_refresh_token_open(ctx->rq->tenant->id, token, p.grant, &p.generation, p.hash)) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown refresh token");
        return PC_ERR_DENIED;
    }
    ctx->family_id = pc_strdup(p.grant);
    rc = find_grant(ctx, p.grant, &rec);
    if (rc == PC_OK)
        rc = judge(ctx, rec, &p, &age);
    if (rc == PC_OK)
        rc = adopt(ctx, rec);
    if (rc == PC_OK)
        rc = rotate(ctx, rec, &p, age);
    if (rc != PC_OK && ctx->error == NULL)
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
    /* RFC 9449 §5: bound to the DPoP key for public clients (confidential ones authenticate) */
    if (rec != NULL && ctx->jkt != NULL && ctx->client->is_public)
        json_object_set_new(rec, "jkt", json_string(ctx->jkt));
    if (rec != NULL && ctx->org_id != NULL)
        json_object_set_new(rec, "org_id", json_string(ctx->org_id));
    rc = rec ? pc_db_insert(NULL, PC_ENT_REFRESH, rec, NULL, 0) : PC_ERR_INTERNAL;
    json_decref(rec);
    if (rc != PC_OK) {
        pc_free_secret(tok);
        return rc;
    }
    *token = tok;
    return PC_OK;
}
