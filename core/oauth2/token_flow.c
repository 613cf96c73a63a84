/* SPDX-License-Identifier: Apache-2.0 */
/* The token endpoint (RFC 6749 §3.2): authenticate the client, let the grant plugin decide, mint. */
#include "oauth2/grant_ctx.h"
#include "oauth2/dpop_token.h"
#include "oauth2/code.h"
#include "oauth2/grants.h"
#include "oauth2/mfa_grant.h"
#include "oauth2/org_gate.h"
#include "oauth2/refresh.h"
#include "oauth2/tokens.h"
#include "oidc/backchannel.h"
#include "oidc/claims.h"
#include "oidc/token_claims.h"
#include "oidc/id_token.h"
#include "server/metrics.h"
#include "server/server.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void pc_grant_ctx_unavailable(pc_grant_ctx *ctx)
{
    ctx->unavailable = 1;
}

static void fail_from_ctx(const pc_grant_ctx *ctx, pc_oauth_reply *reply)
{
    if (ctx->unavailable) {
        pc_oauth_unavailable(reply);
        return;
    }
    pc_oauth_error(reply, ctx->status ? ctx->status : 400,
                   ctx->error ? ctx->error : "invalid_grant", ctx->error_description);
    reply->retry_after = ctx->retry_after;
    /* mfa_required carries mfa_token and mfa_methods beside the RFC 6749 §5.2 members. */
    if (ctx->error_extra != NULL && json_is_object(reply->body))
        json_object_update(reply->body, ctx->error_extra);
}

static void subject_of(const pc_grant_ctx *ctx, pc_token_subject *s)
{
    memset(s, 0, sizeof *s);
    s->is_user = ctx->kind == SUBJECT_USER;
    s->sub =
        s->is_user ? json_string_value(json_object_get(ctx->user, "id")) : ctx->client->client_id;
    s->client_id = ctx->client->client_id;
    s->scope = ctx->scope ? ctx->scope : "";
    s->sid = ctx->sid;
    s->amr = ctx->amr;
    s->auth_time = ctx->auth_time;
    s->audience = NULL;
    /* API.md §13: an application may choose its algs (OIDC Registration §2) */
    s->access_alg = json_string_value(json_object_get(ctx->client->app, "access_token_alg"));
    s->id_alg =
        json_string_value(json_object_get(ctx->client->app, "id_token_signed_response_alg"));
    s->nonce = ctx->nonce;
    s->grant_id = ctx->family_id;
    s->act = ctx->act;
    s->exp_cap = ctx->exp_cap;
    s->jkt = ctx->jkt;
    s->org_id = ctx->org_id;
    s->org_slug = ctx->org_slug;
}

static int issues_refresh(const pc_grant_ctx *ctx)
{
    return ctx->want_refresh && pc_client_has_grant(ctx->client, "refresh_token");
}

/* A new refresh grant's id is chosen before minting: the access token carries it. */
static void choose_grant(pc_grant_ctx *ctx)
{
    char id[37];

    if (ctx->kind != SUBJECT_USER || ctx->family_id != NULL || !issues_refresh(ctx))
        return;
    pc_uuid7(id);
    ctx->family_id = pc_strdup(id);
}

/* RFC 8707: a resource indicator must be one the client may address. */
static int resource_allowed(const pc_client *client, const char *resource)
{
    size_t i;
    json_t *r;

    if (resource == NULL)
        return 1;
    json_array_foreach (json_object_get(client->app, "resources"), i, r)
        if (json_is_string(r) && strcmp(json_string_value(r), resource) == 0)
            return 1;
    return 0;
}

static pc_status add_user_tokens(const pc_grant_ctx *ctx, const pc_token_subject *s,
                                 const pc_minted *access, json_t *body)
{
    const pc_tenant *t = ctx->rq->tenant;
    char *id_token = NULL, *refresh = NULL;
    pc_status rc = PC_OK;

    if (pc_scope_has(s->scope, "openid")) {
        rc = pc_oidc_id_token(t, s, ctx->user, access->jwt, &id_token);
        if (rc == PC_OK)
            json_object_set_new(body, "id_token", json_string(id_token));
        free(id_token);
    }
    if (rc == PC_OK && ctx->rotated_refresh != NULL) {
        json_object_set_new(body, "refresh_token", json_string(ctx->rotated_refresh));
    } else if (rc == PC_OK && issues_refresh(ctx)) {
        rc = pc_refresh_issue(ctx, &refresh);
        if (rc == PC_OK)
            json_object_set_new(body, "refresh_token", json_string(refresh));
        free(refresh);
    }
    return rc;
}

static void mint(const pc_grant_ctx *ctx, pc_oauth_reply *reply)
{
    const pc_tenant *t = ctx->rq->tenant;
    pc_token_subject s;
    pc_minted access = {0};
    json_t *body, *extra;
    pc_status rc;

    subject_of(ctx, &s);
    s.audience = pc_oauth_param(ctx->rq, "resource");
    extra = s.is_user ? pc_oidc_token_claims_values(
                            json_object_get(ctx->client->app, "token_claims"), ctx->user)
                      : NULL;
    s.extra = extra;
    rc = pc_token_mint_access(t, &s, &access);
    body = json_pack("{s:s,s:s,s:I,s:s}", "access_token", access.jwt ? access.jwt : "",
                     "token_type", ctx->jkt ? "DPoP" : "Bearer", "expires_in",
                     (json_int_t)(access.exp - access.iat), "scope", s.scope);
    if (ctx->exchanged) /* RFC 8693 §2.2.1 */
        json_object_set_new(body, "issued_token_type",
                            json_string("urn:ietf:params:oauth:token-type:access_token"));
    if (rc == PC_OK && s.is_user)
        rc = add_user_tokens(ctx, &s, &access, body);
    pc_minted_clear(&access);
    json_decref(extra);
    if (rc != PC_OK) {
        json_decref(body);
        pc_error("token minting failed: tenant=%s status=%s", t->slug, pc_status_str(rc));
        if (rc == PC_ERR_STORAGE)
            pc_oauth_unavailable(reply);
        else
            pc_oauth_error(reply, 500, "server_error", NULL);
        return;
    }
    if (ctx->code_id != NULL)
        pc_code_issued(ctx, &access);
    if (s.is_user) /* who to tell when the session ends (issue #18) */
        pc_backchannel_note(t, ctx->client->app, s.sid,
                            json_string_value(json_object_get(ctx->user, "id")));
    pc_metrics_count("tokens_issued", "grant", ctx->grant_type);
    reply->status = 200;
    reply->body = body;
}

static const pc_grant_ops *grant_for(const pc_oauth_request *rq, pc_oauth_reply *reply,
                                     const char **grant_type, void **state)
{
    const pc_grant_ops *ops;

    *grant_type = pc_oauth_param(rq, "grant_type");
    if (*grant_type == NULL) {
        pc_oauth_error(reply, 400, "invalid_request", "grant_type is required");
        return NULL;
    }
    ops = pc_grants_find(*grant_type, state);
    if (ops == NULL)
        pc_oauth_error(reply, 400, "unsupported_grant_type", "this grant type is not supported");
    return ops;
}

void pc_oauth2_token(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    pc_client client;
    pc_grant_ctx ctx;
    pc_grant_call call;
    const char *grant_type;
    void *state;
    const pc_grant_ops *ops = grant_for(rq, reply, &grant_type, &state);

    if (ops == NULL || pc_oauth2_client_authenticate(rq, 1, &client, reply) != PC_OK)
        return;
    if (!pc_mfa_grant_allowed(&client, grant_type)) {
        pc_oauth_error(reply, 400, "unauthorized_client",
                       "this client may not use this grant type");
        pc_client_clear(&client);
        return;
    }
    /* Before the grant runs: a refresh token it rotates must not be lost to a bad resource. */
    if (!resource_allowed(&client, pc_oauth_param(rq, "resource"))) {
        pc_oauth_error(reply, 400, "invalid_target", "resource is not allowed for this client");
        pc_client_clear(&client);
        return;
    }
    memset(&ctx, 0, sizeof ctx);
    /* RFC 9449 §5: a proof binds what this request issues to the client's key */
    if (!pc_oauth2_dpop_token_proof(rq, "/oauth2/token", &ctx.jkt, reply)) {
        pc_client_clear(&client);
        return;
    }
    ctx.rq = rq;
    ctx.client = &client;
    ctx.grant_type = grant_type;
    pc_grant_call_init(&call, &ctx);
    /* API.md §18: which organization, once the grant decided who. */
    if (ops->handle(state, &call) != PC_OK || ctx.kind == SUBJECT_NONE ||
        pc_org_gate(&ctx) != PC_OK) {
        fail_from_ctx(&ctx, reply);
    } else {
        choose_grant(&ctx);
        mint(&ctx, reply);
    }
    pc_grant_ctx_clear(&ctx);
    pc_client_clear(&client);
}
