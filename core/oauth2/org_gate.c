/* SPDX-License-Identifier: Apache-2.0 */
/* Which organization a token is scoped to (API.md §18): asked after sign-in, carried by codes, refresh and exchange. */
#include "oauth2/org_gate.h"
#include "iam/orgs.h"
#include "iam/users.h"
#include "oauth2/changes.h"
#include "oauth2/login.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32

static void set_org(pc_grant_ctx *ctx, const json_t *org)
{
    free(ctx->org_id);
    free(ctx->org_slug);
    ctx->org_id = org ? pc_strdup(json_string_value(json_object_get(org, "id"))) : NULL;
    ctx->org_slug = org ? pc_strdup(json_string_value(json_object_get(org, "slug"))) : NULL;
    ctx->org_settled = 1;
}

static const char *user_id(const pc_grant_ctx *ctx)
{
    return json_string_value(json_object_get(ctx->user, "id"));
}

pc_status pc_org_choose(pc_grant_ctx *ctx, const char *ref)
{
    json_t *org = NULL;
    pc_status rc = pc_org_find(ctx->rq->tenant->id, ref, &org);

    if (rc == PC_OK)
        rc = pc_org_membership(NULL, ctx->rq->tenant->id,
                               json_string_value(json_object_get(org, "id")), user_id(ctx), NULL);
    if (rc == PC_OK)
        set_org(ctx, org);
    json_decref(org);
    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    if (rc != PC_OK) {
        pc_grant_ctx_fail(ctx, 400, "invalid_request",
                          "organization is unknown or the user is not a member of it");
        return PC_ERR_INVALID;
    }
    return PC_OK;
}

pc_status pc_org_carry(pc_grant_ctx *ctx, const char *org_id, int64_t issued_at)
{
    const char *asked = pc_oauth_param(ctx->rq, "organization");
    json_t *org = NULL;
    pc_status rc = PC_OK;

    if (org_id != NULL) {
        rc = pc_db_get(NULL, PC_ENT_ORGANIZATION, ctx->rq->tenant->id, "id", org_id, &org);
        if (rc == PC_OK &&
            pc_changes_member_cut(ctx->rq->tenant->id, user_id(ctx), org_id, issued_at))
            rc = PC_ERR_NOT_FOUND;
        if (rc == PC_OK)
            rc = pc_org_membership(NULL, ctx->rq->tenant->id, org_id, user_id(ctx), NULL);
    }
    /* Bound to its organization: naming another one is refused (API.md §18). */
    if (rc == PC_OK && asked != NULL &&
        (org == NULL || (strcmp(asked, org_id) != 0 &&
                         strcmp(asked, json_string_value(json_object_get(org, "slug"))) != 0)))
        rc = PC_ERR_DENIED;
    if (rc == PC_OK)
        set_org(ctx, org);
    json_decref(org);
    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    if (rc != PC_OK) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant",
                          rc == PC_ERR_DENIED ? "this grant is bound to another organization"
                                              : "the organization membership has ended");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

/* Store a pending choice; *token new (pc_free_secret). */
static pc_status issue_token(const pc_grant_ctx *ctx, char **token)
{
    char *t = pc_random_token(TOKEN_BYTES), *hash = pc_sha256_hex(t);
    json_int_t now = pc_now();
    /* sid "": the session opens with the choice, as after a second factor. */
    json_t *rec = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:I,s:I,s:I}", "id", hash, "tenant_id", ctx->rq->tenant->id,
        "user_id", user_id(ctx), "client_id", ctx->client->client_id, "scope",
        ctx->scope ? ctx->scope : "", "sid", ctx->sid ? ctx->sid : "", "amr", ctx->amr, "auth_time",
        (json_int_t)ctx->auth_time, "created_at", now, "expires_at", now + PC_ORG_TOKEN_TTL);
    pc_status rc = rec ? pc_db_insert(NULL, PC_ENT_ORG_TOKEN, rec, NULL, 0) : PC_ERR_INTERNAL;

    json_decref(rec);
    free(hash);
    if (rc != PC_OK) {
        pc_free_secret(t);
        return rc;
    }
    *token = t;
    return PC_OK;
}

static pc_status ask(pc_grant_ctx *ctx, json_t *orgs)
{
    char *token = NULL;
    pc_status rc = issue_token(ctx, &token);

    if (rc != PC_OK) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    pc_grant_ctx_fail(ctx, 403, "organization_required",
                      "choose an organization: use the organization grant with organization_token");
    ctx->error_extra = json_pack("{s:s,s:O}", "organization_token", token, "organizations", orgs);
    pc_free_secret(token);
    return PC_ERR_DENIED;
}

pc_status pc_org_gate(pc_grant_ctx *ctx)
{
    const char *asked = pc_oauth_param(ctx->rq, "organization");
    json_t *orgs = NULL;
    pc_status rc;

    if (ctx->kind != SUBJECT_USER || ctx->org_settled)
        return PC_OK;
    if (asked != NULL)
        return pc_org_choose(ctx, asked);
    rc = pc_org_of_user(ctx->rq->tenant->id, user_id(ctx), &orgs);
    if (rc != PC_OK) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    /* One organization: scoped to it without asking; none: tenant-wide. */
    if (json_array_size(orgs) > 1)
        rc = ask(ctx, orgs);
    else
        set_org(ctx, json_array_get(orgs, 0));
    json_decref(orgs);
    return rc;
}

/* The live pending choice of `token` for this client (*rec new), or a refusal set on ctx. */
static pc_status find_token(pc_grant_ctx *ctx, const char *token, json_t **rec)
{
    char *hash = pc_sha256_hex(token);
    pc_status rc = pc_db_get(NULL, PC_ENT_ORG_TOKEN, ctx->rq->tenant->id, "id", hash, rec);

    free(hash);
    if (rc == PC_OK && (strcmp(json_string_value(json_object_get(*rec, "client_id")),
                               ctx->client->client_id) != 0 ||
                        json_integer_value(json_object_get(*rec, "expires_at")) <= pc_now()))
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
        return rc;
    }
    if (rc != PC_OK) {
        json_decref(*rec);
        *rec = NULL;
        pc_grant_ctx_fail(ctx, 400, "invalid_grant",
                          "the organization_token is invalid, expired or used");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

/* ctx takes the sign-in the token waited with. */
static pc_status adopt(pc_grant_ctx *ctx, const json_t *rec)
{
    json_t *user = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_USER, ctx->rq->tenant->id, "id",
                             json_string_value(json_object_get(rec, "user_id")), &user);
    const char *sid = json_string_value(json_object_get(rec, "sid"));

    if (rc == PC_OK && (!pc_iam_user_active(user, pc_now()) || (*sid && pc_changes_sid_ended(sid))))
        rc = PC_ERR_NOT_FOUND;
    if (rc != PC_OK) {
        json_decref(user);
        if (rc == PC_ERR_STORAGE)
            pc_grant_ctx_unavailable(ctx);
        else
            pc_grant_ctx_fail(ctx, 400, "invalid_grant", "the sign-in has ended");
        return rc == PC_ERR_STORAGE ? rc : PC_ERR_DENIED;
    }
    ctx->kind = SUBJECT_USER;
    ctx->user = user;
    ctx->sid = *sid ? pc_strdup(sid) : NULL;
    ctx->amr = json_incref(json_object_get(rec, "amr"));
    ctx->auth_time = json_integer_value(json_object_get(rec, "auth_time"));
    free(ctx->scope);
    ctx->scope = pc_strdup(json_string_value(json_object_get(rec, "scope")));
    return PC_OK;
}

/* The session opens only now, with the choice (audited as login.succeeded). */
static pc_status open_session(pc_grant_ctx *ctx)
{
    pc_login_attempt a = {
        .tenant = ctx->rq->tenant, .ip = ctx->rq->ip, .client_id = ctx->client->client_id};
    char sid[37];
    pc_status rc = pc_login_open_session(&a, user_id(ctx), ctx->amr, ctx->auth_time, NULL, sid);

    if (rc != PC_OK) {
        if (rc == PC_ERR_STORAGE)
            pc_grant_ctx_unavailable(ctx);
        else
            pc_grant_ctx_fail(ctx, 500, "server_error", NULL);
        return rc;
    }
    ctx->sid = pc_strdup(sid);
    return PC_OK;
}

pc_status pc_org_grant_subject(pc_grant_ctx *ctx, const char *organization_token,
                               const char *organization)
{
    json_t *rec = NULL;
    pc_status rc;

    if (organization_token == NULL || organization == NULL) {
        pc_grant_ctx_fail(ctx, 400, "invalid_request",
                          "organization_token and organization are required");
        return PC_ERR_INVALID;
    }
    rc = find_token(ctx, organization_token, &rec);
    if (rc == PC_OK)
        rc = adopt(ctx, rec);
    if (rc == PC_OK)
        rc = pc_org_choose(ctx, organization);
    /* Single use: the first successful choice removes it; a second finds nothing. */
    if (rc == PC_OK) {
        rc = pc_db_remove(NULL, PC_ENT_ORG_TOKEN, ctx->rq->tenant->id,
                          json_string_value(json_object_get(rec, "id")));
        if (rc == PC_ERR_NOT_FOUND)
            pc_grant_ctx_fail(ctx, 400, "invalid_grant", "the organization_token was used");
        else if (rc != PC_OK)
            pc_grant_ctx_unavailable(ctx);
        rc = rc == PC_ERR_NOT_FOUND ? PC_ERR_DENIED : rc;
    }
    if (rc == PC_OK && ctx->sid == NULL)
        rc = open_session(ctx);
    if (rc != PC_OK)
        ctx->kind = SUBJECT_NONE;
    json_decref(rec);
    return rc;
}
