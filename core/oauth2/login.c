/* SPDX-License-Identifier: Apache-2.0 */
/* Password sign-in: throttled, timed alike for known and unknown users, audited, opening a session. */
#include "oauth2/login.h"
#include "oauth2/login_directory.h"
#include "oauth2/mfa_grant.h"
#include "oauth2/org_gate.h"
#include "oauth2/session.h"
#include "oauth2/throttle.h"
#include "iam/audit.h"
#include "iam/users.h"
#include "server/metrics.h"
#include "server/store.h"
#include "util/log.h"
#include "util/password.h"

#include <stdio.h>
#include <string.h>

/*
 * Three counters (docs/security.md): the account at this address locks after
 * limit_account failures, so a stranger elsewhere cannot lock anyone out; the
 * address locks after limit_address; and the account as a whole, past
 * limit_account_global failures from anywhere, is slowed (a progressive delay)
 * rather than locked, except at addresses where it signed in before.
 */
typedef struct keys {
    char account[300]; /* the account from anywhere */
    char pair[350];    /* the account at this address */
    char address[100];
} keys;

/* The account is the user found (so a username and an email share one
 * counter), or the name as typed when there is none. */
static void throttle_keys(const pc_login_attempt *a, const json_t *user, keys *k)
{
    const char *id = json_string_value(json_object_get(user, "id"));

    snprintf(k->account, sizeof k->account, "user:%s:%s", a->tenant->id, id ? id : a->username);
    snprintf(k->pair, sizeof k->pair, "%s@%s", k->account, a->ip);
    snprintf(k->address, sizeof k->address, "addr:%s", a->ip);
}

static pc_status check_throttle(const keys *k, int64_t *retry_after)
{
    int64_t retry = 0;

    if (pc_throttle_check(k->address, pc_srv->cfg.limit_address, &retry) == PC_OK &&
        pc_throttle_check(k->pair, pc_srv->cfg.limit_account, &retry) == PC_OK &&
        (pc_throttle_known(k->pair) ||
         pc_throttle_check_slow(k->account, pc_srv->cfg.limit_account_global, &retry) == PC_OK))
        return PC_OK;
    *retry_after = retry > 0 ? retry : 1;
    return PC_ERR_LIMIT;
}

/* The live user signed in as `username` (a username, or an email): PC_OK with *user,
 * PC_ERR_NOT_FOUND, or PC_ERR_STORAGE when the store cannot tell. */
static pc_status find_user(const char *tenant_id, const char *username, json_t **user)
{
    json_t *u = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_USER, tenant_id, "username", username, &u);

    if (rc == PC_ERR_NOT_FOUND && strchr(username, '@') != NULL)
        rc = pc_db_get(NULL, PC_ENT_USER, tenant_id, "email", username, &u);
    if (rc == PC_OK && !json_is_null(json_object_get(u, "deleted_at")))
        rc = PC_ERR_NOT_FOUND;
    if (rc != PC_OK) {
        json_decref(u);
        return rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
    }
    *user = u;
    return PC_OK;
}

static pc_status failed(const pc_login_attempt *a, const keys *k, const char *user_id)
{
    int locked = pc_throttle_fail(k->pair, pc_srv->cfg.limit_account);

    locked |= pc_throttle_fail(k->address, pc_srv->cfg.limit_address);
    if (pc_throttle_fail(k->account, pc_srv->cfg.limit_account_global))
        pc_audit_record(NULL, a->tenant->id, "login.slowed", "system", user_id, a->ip, NULL);
    pc_audit_record(NULL, a->tenant->id, "login.failed", a->client_id, user_id, a->ip, NULL);
    if (locked)
        pc_audit_record(NULL, a->tenant->id, "login.locked", "system", user_id, a->ip, NULL);
    return PC_ERR_DENIED;
}

/* The right credentials: the counters cleared; a disabled or frozen account is refused,
 * audited, and not counted as a failure. */
static pc_status accepted(const pc_login_attempt *a, const keys *k, json_t *u, json_t **user)
{
    pc_throttle_clear(k->pair);
    pc_throttle_remember(k->pair);
    if (pc_iam_user_disabled(u, pc_now())) {
        json_t *why = json_pack("{s:s}", "reason", "account disabled");
        pc_audit_record(NULL, a->tenant->id, "login.refused", a->client_id,
                        json_string_value(json_object_get(u, "id")), a->ip, why);
        json_decref(why);
        json_decref(u);
        return PC_ERR_CONFLICT;
    }
    *user = u;
    return PC_OK;
}

/* Ask the directories; a wrong password there counts as one here, an unreachable one does not.
 * PC_ERR_NOT_FOUND: go on as for an unknown name (*u untouched). */
static pc_status directory(const pc_login_attempt *a, const keys *k, json_t **u, pc_login_via *via)
{
    json_t *found = NULL;
    pc_status rc =
        pc_login_directory(a, &found, via->provider, &via->refusal, &via->refusal_reason);

    if (rc == PC_OK) {
        json_decref(*u);
        *u = found;
        pc_metrics_count("login_successes", "method", "directory");
    } else if (rc == PC_ERR_DENIED) {
        pc_metrics_count("login_failures", "reason", "wrong_password");
        rc = failed(a, k, json_string_value(json_object_get(*u, "id")));
        json_decref(*u);
        *u = NULL;
    } else if (rc == PC_ERR_UNAVAILABLE || rc == PC_ERR_STORAGE || rc == PC_ERR_INTERNAL) {
        pc_metrics_count("login_failures", "reason",
                         rc == PC_ERR_INTERNAL ? "directory_misconfigured"
                                               : "directory_unavailable");
        json_decref(*u);
        *u = NULL;
    } else if (rc == PC_ERR_CONFLICT) { /* the right password, nobody to be: not a failure */
        json_t *why = json_pack("{s:s,s:s}", "reason",
                                via->refusal_reason ? via->refusal_reason
                                                    : "no account here for the directory's person",
                                "provider", via->provider);
        pc_metrics_count("login_failures", "reason", "directory_refused");
        pc_audit_record(NULL, a->tenant->id, "login.refused", a->client_id, NULL, a->ip, why);
        json_decref(why);
        json_decref(*u);
        *u = NULL;
    }
    return rc;
}

pc_status pc_login_check_via(const pc_login_attempt *a, json_t **user, int64_t *retry_after,
                             pc_login_via *via)
{
    via->provider[0] = '\0';
    via->refusal = NULL;
    via->refusal_reason = NULL;
    keys k;
    json_t *u = NULL;
    pc_status rc;

    if (a->username == NULL || a->password == NULL || *a->username == '\0')
        return PC_ERR_INVALID;
    /* A store that cannot answer decides nothing: no failure is counted, none reported. */
    if (find_user(a->tenant->id, a->username, &u) == PC_ERR_STORAGE) {
        pc_metrics_count("login_failures", "reason", "store_error");
        return PC_ERR_STORAGE;
    }
    throttle_keys(a, u, &k);
    rc = check_throttle(&k, retry_after);
    if (rc != PC_OK) {
        pc_metrics_count("login_failures", "reason", "throttled");
        json_decref(u);
        return rc;
    }
    /* federation (API.md §14): a name that is not local, or a user without a password, may be
     * a directory's */
    if (u == NULL || !json_is_string(json_object_get(u, "password_hash"))) {
        rc = directory(a, &k, &u, via);
        if (rc != PC_ERR_NOT_FOUND)
            return rc == PC_OK ? accepted(a, &k, u, user) : rc;
    }
    /* An unknown user, or one without a password, costs the time of a real check. */
    if (u == NULL || !json_is_string(json_object_get(u, "password_hash"))) {
        pc_metrics_count("login_failures", "reason", u == NULL ? "unknown_user" : "no_password");
        pc_password_burn(a->password);
        rc = failed(a, &k, json_string_value(json_object_get(u, "id")));
        json_decref(u);
        return rc;
    }
    if (pc_password_verify(json_string_value(json_object_get(u, "password_hash")), a->password) !=
        PC_OK) {
        pc_metrics_count("login_failures", "reason", "wrong_password");
        rc = failed(a, &k, json_string_value(json_object_get(u, "id")));
        json_decref(u);
        return rc;
    }
    pc_metrics_count("login_successes", "method", "password");
    return accepted(a, &k, u, user);
}

pc_status pc_login_check(const pc_login_attempt *a, json_t **user, int64_t *retry_after)
{
    pc_login_via via;

    return pc_login_check_via(a, user, retry_after, &via);
}

/* last_login_at, kept to the minute so that busy accounts do not rewrite their row. */
static pc_status note_login(pc_store_tx *tx, const char *tenant_id, const char *user_id)
{
    json_t *cols = json_pack("{s:I}", "last_login_at", (json_int_t)(pc_now() / 60 * 60));
    pc_status rc = pc_db_update(tx, PC_ENT_USER, tenant_id, user_id, cols, NULL, 0);

    json_decref(cols);
    return rc;
}

pc_status pc_login_audit_success(pc_store_tx *tx, const pc_login_attempt *a, const char *user_id)
{
    /* federation (API.md §14): the event names the provider signed in through */
    json_t *details = a->provider ? json_pack("{s:s}", "provider", a->provider) : NULL;
    pc_status rc = pc_audit_record(tx, a->tenant->id, "login.succeeded", a->client_id, user_id,
                                   a->ip, details);

    json_decref(details);
    return rc;
}

static pc_status note_idp(pc_store_tx *tx, const pc_login_attempt *a, const char *sid)
{
    json_t *cols = json_pack("{s:s}", "idp", a->provider);
    pc_status rc = pc_db_update(tx, PC_ENT_SESSION, a->tenant->id, sid, cols, NULL, 0);

    json_decref(cols);
    return rc;
}

pc_status pc_login_open_session(const pc_login_attempt *a, const char *user_id, const json_t *amr,
                                int64_t auth_time, const char *secret_hash, char sid[37])
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_session_open_secret(tx, a->tenant, user_id, a->client_id, amr, auth_time, a->ip,
                                    secret_hash, sid);
    if (rc == PC_OK && a->provider != NULL) /* federation: the ID token's idp claim */
        rc = note_idp(tx, a, sid);
    if (rc == PC_OK)
        rc = pc_login_audit_success(tx, a, user_id);
    if (rc == PC_OK)
        rc = note_login(tx, a->tenant->id, user_id);
    return tx ? pc_db_finish(tx, rc) : rc;
}

pc_status pc_login_password(pc_grant_ctx *ctx, const char *username, const char *password)
{
    pc_login_attempt a = {.tenant = ctx->rq->tenant,
                          .ip = ctx->rq->ip,
                          .client_id = ctx->client->client_id,
                          .username = username,
                          .password = password};
    char sid[37], *provider;
    pc_login_via via;
    pc_status rc = pc_login_check_via(&a, &ctx->user, &ctx->retry_after, &via);

    if (rc == PC_ERR_UNAVAILABLE) /* a directory down (API.md §14): 503, never a wrong password */
        pc_grant_ctx_unavailable(ctx);
    else if (rc == PC_ERR_INVALID)
        pc_grant_ctx_fail(ctx, 400, "invalid_request", "username and password are required");
    else if (rc == PC_ERR_LIMIT)
        pc_grant_ctx_fail(ctx, 429, "temporarily_unavailable",
                          "too many failed sign-ins; retry later");
    else if (rc == PC_ERR_STORAGE)
        pc_grant_ctx_unavailable(ctx);
    else if (rc == PC_ERR_INTERNAL) /* a directory misconfigured here: logged */
        pc_grant_ctx_fail(ctx, 500, "server_error",
                          "the sign-in with this directory is not configured correctly; tell an "
                          "administrator");
    else if (rc == PC_ERR_CONFLICT)
        pc_grant_ctx_fail(ctx, 400, "invalid_grant",
                          via.refusal ? via.refusal : "account disabled");
    else if (rc != PC_OK)
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "wrong username or password");
    if (rc != PC_OK)
        return rc;
    provider = via.provider;
    a.provider = *provider ? provider : NULL;
    /* A user with a second factor gets an mfa_token, not a session (API.md §2). */
    rc = pc_mfa_grant_gate(ctx, &a);
    if (rc != PC_OK)
        return rc;
    ctx->kind = SUBJECT_USER;
    ctx->amr = *provider ? json_pack("[s,s]", "pwd", "fed") : json_pack("[s]", "pwd");
    ctx->auth_time = pc_now();
    /* API.md §18: like the second factor, the choice of organization comes before the session. */
    rc = pc_org_gate(ctx);
    if (rc != PC_OK) {
        ctx->kind = SUBJECT_NONE;
        return rc;
    }
    rc = pc_login_open_session(&a, json_string_value(json_object_get(ctx->user, "id")), ctx->amr,
                               ctx->auth_time, NULL, sid);
    if (rc == PC_ERR_STORAGE)
        pc_grant_ctx_unavailable(ctx);
    else if (rc != PC_OK)
        pc_grant_ctx_fail(ctx, 500, "server_error", NULL);
    if (rc != PC_OK)
        return rc;
    ctx->sid = strdup(sid);
    return PC_OK;
}
