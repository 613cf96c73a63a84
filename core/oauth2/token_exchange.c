/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 8693 token exchange: down-scoping, and impersonation with a reason (API.md §16). */
#include "oauth2/token_exchange.h"
#include "iam/audit.h"
#include "iam/outrank.h"
#include "iam/permcache.h"
#include "iam/tenant.h"
#include "oauth2/org_gate.h"
#include "oauth2/dpop.h"
#include "server/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* API.md §16: an impersonation token lives at most an hour. */
#define IMPERSONATION_TTL 3600

static pc_status failed(pc_grant_ctx *ctx, pc_status rc, unsigned status, const char *error,
                        const char *description)
{
    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    pc_grant_ctx_fail(ctx, status, error, description);
    return rc == PC_OK ? PC_ERR_DENIED : rc;
}

/* A live user by id or username (new record); PC_ERR_NOT_FOUND for none or a deleted one. */
static pc_status live_user(const pc_tenant *t, const char *ident, json_t **user)
{
    pc_status rc = pc_db_get(NULL, PC_ENT_USER, t->id, "id", ident, user);

    if (rc == PC_ERR_NOT_FOUND)
        rc = pc_db_get(NULL, PC_ENT_USER, t->id, "username", ident, user);
    if (rc == PC_OK && !json_is_null(json_object_get(*user, "deleted_at"))) {
        json_decref(*user);
        *user = NULL;
        rc = PC_ERR_NOT_FOUND;
    }
    return rc;
}

/* The scope asked for (default: the subject token's), within `allowed` (space separated). */
static int settle_scope(pc_grant_ctx *ctx, const char *allowed)
{
    const char *asked = pc_oauth_param(ctx->rq, "scope");
    json_t *list = json_array();
    const char *p = allowed ? allowed : "";

    while (*p) {
        size_t n = strcspn(p, " ");
        if (n > 0)
            json_array_append_new(list, json_stringn(p, n));
        p += n + (p[n] == ' ');
    }
    free(ctx->scope);
    ctx->scope = pc_scope_settle(list, asked ? asked : allowed);
    json_decref(list);
    if (ctx->scope == NULL)
        pc_grant_ctx_fail(ctx, 400, "invalid_scope", "the scope asked for is wider than allowed");
    return ctx->scope != NULL;
}

/* The subject token's user session facts carried over to the new token. */
static void carry_session(pc_grant_ctx *ctx, const json_t *claims, json_t *user)
{
    ctx->kind = SUBJECT_USER;
    ctx->user = user;
    ctx->sid = pc_strdup(json_string_value(json_object_get(claims, "sid")));
    ctx->amr = json_deep_copy(json_object_get(claims, "amr"));
    ctx->auth_time = json_integer_value(json_object_get(claims, "auth_time"));
    ctx->exchanged = 1;
}

/* RFC 8693 §2.1 without requested_subject: the same subject, a narrower scope, no longer life. */
static pc_status down_scope(pc_grant_ctx *ctx, const json_t *claims)
{
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    const char *client = json_string_value(json_object_get(claims, "client_id"));
    json_t *user = NULL;
    pc_status rc;

    if (!settle_scope(ctx, json_string_value(json_object_get(claims, "scope"))))
        return PC_ERR_DENIED;
    ctx->exp_cap = json_integer_value(json_object_get(claims, "exp"));
    ctx->act = json_incref(json_object_get(claims, "act"));
    if (json_object_get(claims, "sid") == NULL) {
        /* an application's own token: the subject is the client itself */
        if (client == NULL || strcmp(client, ctx->client->client_id) != 0)
            return failed(ctx, PC_OK, 400, "invalid_grant",
                          "an application's token is exchanged by that application only");
        ctx->kind = SUBJECT_CLIENT;
        ctx->exchanged = 1;
        return PC_OK;
    }
    rc = live_user(ctx->rq->tenant, sub, &user);
    if (rc != PC_OK)
        return failed(ctx, rc, 400, "invalid_grant", "the subject_token's user is gone");
    carry_session(ctx, claims, user);
    /* API.md §18: switching organization gives a new token pair scoped to it, but only to
     * the client the subject_token was issued to; another client that saw the token gets an
     * access token no longer-lived than it and no refresh token, as for down-scoping. */
    if (pc_oauth_param(ctx->rq, "organization") != NULL && ctx->act == NULL) {
        if (client != NULL && strcmp(client, ctx->client->client_id) == 0) {
            ctx->exp_cap = 0;
            ctx->want_refresh = 1;
        }
        return pc_org_choose(ctx, pc_oauth_param(ctx->rq, "organization"));
    }
    rc = pc_org_carry(ctx, json_string_value(json_object_get(claims, "org_id")),
                      json_integer_value(json_object_get(claims, "iat")));
    if (rc != PC_OK)
        return rc;
    return PC_OK;
}

/* users:impersonate (checked before the target is looked up: no probing for names). */
static pc_status holds_impersonate(pc_grant_ctx *ctx, const char *caller)
{
    int may = 0;
    pc_status rc = pc_permcache_check(ctx->rq->tenant->id, caller, "users", "impersonate", &may);

    if (rc != PC_OK)
        return failed(ctx, rc, 500, "server_error", NULL);
    return may ? PC_OK : failed(ctx, PC_OK, 403, "access_denied", "users:impersonate is required");
}

/* The one "may act on this target" rule: not a target holding more than the caller. */
static pc_status outranks(pc_grant_ctx *ctx, const char *caller, const json_t *target)
{
    int may = 0;
    pc_status rc = pc_iam_outranks(ctx->rq->tenant->id, caller,
                                   json_string_value(json_object_get(target, "id")), &may);

    if (rc != PC_OK)
        return failed(ctx, rc, 500, "server_error", NULL);
    return may ? PC_OK
               : failed(ctx, PC_OK, 403, "access_denied",
                        "the requested subject holds permissions the caller does not");
}

/* The target's token, its audit event, act naming the impersonator (and its issuer if another's). */
static pc_status start(pc_grant_ctx *ctx, const json_t *claims, json_t *target, const char *reason,
                       const char *platform_issuer)
{
    const char *caller = json_string_value(json_object_get(claims, "sub"));
    json_t *details = json_pack("{s:s,s:s}", "reason", reason, "client_id", ctx->client->client_id);
    pc_status rc;

    if (platform_issuer != NULL)
        json_object_set_new(details, "platform", json_string(platform_issuer));
    rc = pc_audit_record(NULL, ctx->rq->tenant->id, "impersonation.started", caller,
                         json_string_value(json_object_get(target, "id")), ctx->rq->ip, details);
    json_decref(details);
    if (rc != PC_OK) {
        json_decref(target);
        return failed(ctx, rc, 500, "server_error", NULL);
    }
    carry_session(ctx, claims, target);
    ctx->act = json_pack("{s:s}", "sub", caller);
    if (platform_issuer != NULL)
        json_object_set_new(ctx->act, "iss", json_string(platform_issuer));
    ctx->exp_cap = pc_now() + IMPERSONATION_TTL;
    return PC_OK;
}

static pc_status impersonate(pc_grant_ctx *ctx, const json_t *claims, const char *who,
                             const char *reason)
{
    const char *caller = json_string_value(json_object_get(claims, "sub"));
    json_t *target = NULL;
    pc_status rc;

    if (json_object_get(claims, "sid") == NULL || json_object_get(claims, "act") != NULL)
        return failed(ctx, PC_OK, 403, "access_denied",
                      "only a person's own token may start an impersonation");
    if ((rc = holds_impersonate(ctx, caller)) != PC_OK)
        return rc;
    rc = live_user(ctx->rq->tenant, who, &target);
    if (rc != PC_OK)
        return failed(ctx, rc, 400, "invalid_request", "requested_subject is not a user here");
    if ((rc = outranks(ctx, caller, target)) != PC_OK ||
        !settle_scope(ctx, json_string_value(json_object_get(claims, "scope")))) {
        json_decref(target);
        return rc != PC_OK ? rc : PC_ERR_DENIED;
    }
    return start(ctx, claims, target, reason, NULL);
}

/*
 * The subject token as a credential of tenant `t`. RFC 9449 §7: a DPoP-bound
 * one only with this request's own proof of its key (ctx->jkt), so that
 * exchanging cannot strip or move the binding; the new token is bound to the
 * same key. PC_ERR_DENIED with *why NULL for an invalid token.
 */
static pc_status subject_claims(const pc_grant_ctx *ctx, const pc_tenant *t, const char *token,
                                json_t **claims, const char **why)
{
    pc_token_presented how = {.scheme = PC_TOKEN_AS_PARAMETER, .proven_jkt = ctx->jkt};
    const char *error;

    return pc_oauth2_access_accept(t, token, &how, claims, &error, why);
}

static pc_status subject_refused(pc_grant_ctx *ctx, pc_status rc, const char *why)
{
    return failed(ctx, rc == PC_ERR_STORAGE ? rc : PC_ERR_DENIED, 400, "invalid_grant",
                  why ? why
                      : "the subject_token is invalid, expired, revoked or of another tenant");
}

/*
 * API.md §16: in tenant default, a holder of tenants:impersonate may act as a
 * user of another tenant at that tenant's token endpoint; the subject token is
 * the default tenant's.
 */
static pc_status platform_impersonate(pc_grant_ctx *ctx, const char *token, const char *who,
                                      const char *reason)
{
    pc_tenant *def = NULL;
    json_t *claims = NULL, *target = NULL;
    const char *caller, *why = NULL;
    int may = 0;
    pc_status rc = pc_tenant_acquire(PC_TENANT_DEFAULT, &def);

    if (rc == PC_OK)
        rc = subject_claims(ctx, def, token, &claims, &why);
    if (rc != PC_OK) {
        rc = subject_refused(ctx, rc, why);
        goto out;
    }
    caller = json_string_value(json_object_get(claims, "sub"));
    if (json_object_get(claims, "sid") == NULL || json_object_get(claims, "act") != NULL) {
        rc = failed(ctx, PC_OK, 403, "access_denied",
                    "only a person's own token may start an impersonation");
        goto out;
    }
    rc = pc_permcache_check(def->id, caller, "tenants", "impersonate", &may);
    if (rc != PC_OK || !may) {
        rc = failed(ctx, rc, 403, "access_denied", "tenants:impersonate is required");
        goto out;
    }
    rc = live_user(ctx->rq->tenant, who, &target);
    if (rc != PC_OK) {
        rc = failed(ctx, rc, 400, "invalid_request", "requested_subject is not a user here");
        goto out;
    }
    if (!settle_scope(ctx, json_string_value(json_object_get(claims, "scope")))) {
        json_decref(target);
        rc = PC_ERR_DENIED;
        goto out;
    }
    rc = start(ctx, claims, target, reason, def->issuer);
    ctx->org_settled = 1;
out:
    json_decref(claims);
    pc_tenant_release(def);
    return rc;
}

pc_status pc_token_exchange(pc_grant_ctx *ctx, const char *subject_token,
                            const char *requested_subject, const char *reason)
{
    json_t *claims = NULL;
    const char *why = NULL;
    pc_status rc;

    if (subject_token == NULL)
        return failed(ctx, PC_OK, 400, "invalid_request", "subject_token is required");
    if (requested_subject != NULL && (reason == NULL || *reason == '\0' || strlen(reason) > 500))
        return failed(ctx, PC_OK, 400, "invalid_request",
                      "reason (up to 500 characters) is required to impersonate");
    rc = subject_claims(ctx, ctx->rq->tenant, subject_token, &claims, &why);
    if (rc == PC_ERR_DENIED && why == NULL && requested_subject != NULL &&
        strcmp(ctx->rq->tenant->slug, PC_TENANT_DEFAULT) != 0)
        return platform_impersonate(ctx, subject_token, requested_subject, reason);
    if (rc != PC_OK)
        return subject_refused(ctx, rc, why);
    rc = requested_subject ? impersonate(ctx, claims, requested_subject, reason)
                           : down_scope(ctx, claims);
    if (requested_subject != NULL) /* impersonation acts tenant-wide (API.md §18) */
        ctx->org_settled = 1;
    json_decref(claims);
    return rc;
}
