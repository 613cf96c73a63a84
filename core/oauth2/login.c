/* SPDX-License-Identifier: Apache-2.0 */
/* Password sign-in: throttled, timed alike for known and unknown users, audited, opening a session. */
#include "oauth2/login.h"
#include "oauth2/session.h"
#include "oauth2/throttle.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/log.h"
#include "util/password.h"

#include <stdio.h>
#include <string.h>

typedef struct keys {
    char account[300];
    char address[100];
} keys;

static void throttle_keys(const pc_grant_ctx *ctx, const char *username, keys *k)
{
    snprintf(k->account, sizeof k->account, "user:%s:%s", ctx->rq->tenant->id, username);
    snprintf(k->address, sizeof k->address, "addr:%s", ctx->rq->ip);
}

static pc_status check_throttle(pc_grant_ctx *ctx, const keys *k)
{
    int64_t retry = 0;

    if (pc_throttle_check(k->address, pc_srv->cfg.limit_address, &retry) == PC_OK &&
        pc_throttle_check(k->account, pc_srv->cfg.limit_account, &retry) == PC_OK)
        return PC_OK;
    pc_grant_ctx_fail(ctx, 429, "temporarily_unavailable", "too many failed sign-ins; retry later");
    ctx->retry_after = retry > 0 ? retry : 1;
    return PC_ERR_LIMIT;
}

static json_t *find_user(const char *tenant_id, const char *username)
{
    json_t *u = NULL;

    if (pc_db_get(NULL, PC_ENT_USER, tenant_id, "username", username, &u) != PC_OK &&
        (strchr(username, '@') == NULL ||
         pc_db_get(NULL, PC_ENT_USER, tenant_id, "email", username, &u) != PC_OK))
        return NULL;
    if (!json_is_null(json_object_get(u, "deleted_at"))) {
        json_decref(u);
        return NULL;
    }
    return u;
}

static pc_status failed(pc_grant_ctx *ctx, const keys *k, const char *user_id)
{
    const pc_tenant *t = ctx->rq->tenant;
    int locked = pc_throttle_fail(k->account, pc_srv->cfg.limit_account);

    locked |= pc_throttle_fail(k->address, pc_srv->cfg.limit_address);
    pc_audit_record(NULL, t->id, "login.failed", ctx->client->client_id, user_id, ctx->rq->ip, NULL);
    if (locked)
        pc_audit_record(NULL, t->id, "login.locked", "system", user_id, ctx->rq->ip, NULL);
    pc_grant_ctx_fail(ctx, 400, "invalid_grant", "wrong username or password");
    return PC_ERR_DENIED;
}

static pc_status open_session(pc_grant_ctx *ctx)
{
    const pc_tenant *t = ctx->rq->tenant;
    const char *uid = json_string_value(json_object_get(ctx->user, "id"));
    pc_store_tx *tx = NULL;
    char sid[37];
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_session_open(tx, t, uid, ctx->client->client_id, ctx->amr, ctx->auth_time,
                             ctx->rq->ip, sid);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, t->id, "login.succeeded", ctx->client->client_id, uid, ctx->rq->ip, NULL);
    rc = tx ? pc_db_finish(tx, rc) : rc;
    if (rc != PC_OK) {
        pc_grant_ctx_fail(ctx, 500, "server_error", NULL);
        return rc;
    }
    ctx->sid = strdup(sid);
    return PC_OK;
}

pc_status pc_login_password(pc_grant_ctx *ctx, const char *username, const char *password)
{
    keys k;
    json_t *user;
    pc_status rc;

    if (username == NULL || password == NULL || *username == '\0') {
        pc_grant_ctx_fail(ctx, 400, "invalid_request", "username and password are required");
        return PC_ERR_INVALID;
    }
    throttle_keys(ctx, username, &k);
    rc = check_throttle(ctx, &k);
    if (rc != PC_OK)
        return rc;
    user = find_user(ctx->rq->tenant->id, username);
    if (user == NULL) {
        pc_password_burn(password); /* an unknown user costs the same time */
        return failed(ctx, &k, NULL);
    }
    if (pc_password_verify(json_string_value(json_object_get(user, "password_hash")), password) != PC_OK) {
        rc = failed(ctx, &k, json_string_value(json_object_get(user, "id")));
        json_decref(user);
        return rc;
    }
    pc_throttle_clear(k.account);
    ctx->user = user;
    ctx->kind = SUBJECT_USER;
    ctx->amr = json_pack("[s]", "pwd");
    ctx->auth_time = pc_now();
    return open_session(ctx);
}
