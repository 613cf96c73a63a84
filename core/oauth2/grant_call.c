/* SPDX-License-Identifier: Apache-2.0 */
/* The services a grant plugin calls while it handles a token request. */
#include "oauth2/grant_ctx.h"
#include "oauth2/code.h"
#include "oauth2/device.h"
#include "oauth2/login.h"
#include "oauth2/mfa_grant.h"
#include "oauth2/org_gate.h"
#include "oauth2/refresh.h"
#include "oauth2/token_exchange.h"
#include "oidc/claims.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void pc_grant_ctx_fail(pc_grant_ctx *ctx, unsigned status, const char *error,
                       const char *description)
{
    free(ctx->error);
    free(ctx->error_description);
    ctx->status = status;
    ctx->error = pc_strdup(error);
    ctx->error_description = pc_strdup(description);
}

void pc_grant_ctx_clear(pc_grant_ctx *ctx)
{
    free(ctx->scope);
    json_decref(ctx->user);
    free(ctx->sid);
    json_decref(ctx->amr);
    free(ctx->family_id);
    free(ctx->nonce);
    free(ctx->code_id);
    pc_free_secret(ctx->rotated_refresh);
    free(ctx->error);
    free(ctx->error_description);
    json_decref(ctx->error_extra);
    json_decref(ctx->act);
    free(ctx->jkt);
    free(ctx->org_id);
    free(ctx->org_slug);
}

static const char *call_param(void *c, const char *name)
{
    pc_grant_ctx *ctx = c;

    return pc_oauth_param(ctx->rq, name);
}

/* Is every space-separated item of `want` in the JSON array `allowed`? */
static int scope_allowed(const char *item, size_t n, const json_t *allowed)
{
    size_t i;
    json_t *v;

    json_array_foreach (allowed, i, v) {
        const char *s = json_string_value(v);
        if (s != NULL && strlen(s) == n && strncmp(s, item, n) == 0)
            return 1;
    }
    return 0;
}

static char *join_scopes(const json_t *scopes)
{
    size_t i, len = 1;
    json_t *v;
    char *out;

    json_array_foreach (scopes, i, v)
        len += strlen(json_string_value(v) ? json_string_value(v) : "") + 1;
    out = pc_calloc(1, len);
    json_array_foreach (scopes, i, v) {
        if (!json_is_string(v))
            continue;
        if (*out)
            strcat(out, " ");
        strcat(out, json_string_value(v));
    }
    return out;
}

char *pc_scope_settle(const json_t *allowed, const char *requested)
{
    const char *p = requested;

    if (requested == NULL)
        return join_scopes(allowed);
    /* RFC 6749 §3.3: every asked scope must be allowed, or the request fails. */
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n > 0 && !scope_allowed(p, n, allowed))
            return NULL;
        p += n;
        while (*p == ' ')
            p++;
    }
    return pc_strdup(requested);
}

static pc_status call_scope_grant(void *c, const char *requested)
{
    pc_grant_ctx *ctx = c;

    free(ctx->scope);
    ctx->scope = pc_scope_settle(json_object_get(ctx->client->app, "scopes"), requested);
    if (ctx->scope == NULL) {
        pc_grant_ctx_fail(ctx, 400, "invalid_scope",
                          "a requested scope is not allowed for this client");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

static pc_status call_subject_client(void *c)
{
    pc_grant_ctx *ctx = c;

    ctx->kind = SUBJECT_CLIENT;
    return PC_OK;
}

static pc_status call_subject_password(void *c, const char *username, const char *password)
{
    pc_grant_ctx *ctx = c;

    return pc_login_password(ctx, username, password);
}

static pc_status call_subject_refresh(void *c, const char *token)
{
    pc_grant_ctx *ctx = c;

    return pc_refresh_redeem(ctx, token);
}

static pc_status call_subject_code(void *c, const char *code, const char *redirect_uri,
                                   const char *code_verifier)
{
    return pc_code_redeem(c, code, redirect_uri, code_verifier);
}

static pc_status call_subject_mfa(void *c, const char *mfa_token, const char *method,
                                  const char *code)
{
    return pc_mfa_grant_subject(c, mfa_token, method, code);
}

static pc_status call_subject_exchange(void *c, const char *subject_token,
                                       const char *requested_subject, const char *reason)
{
    return pc_token_exchange(c, subject_token, requested_subject, reason);
}

static pc_status call_subject_organization(void *c, const char *organization_token,
                                           const char *organization)
{
    return pc_org_grant_subject(c, organization_token, organization);
}

static pc_status call_subject_device(void *c, const char *device_code)
{
    return pc_device_poll(c, device_code);
}

static void call_want_refresh(void *c)
{
    ((pc_grant_ctx *)c)->want_refresh = 1;
}

static void call_error(void *c, const char *error, const char *description)
{
    pc_grant_ctx *ctx = c;

    pc_grant_ctx_fail(ctx, strcmp(error, "invalid_client") == 0 ? 401 : 400, error, description);
}

void pc_grant_call_init(pc_grant_call *call, pc_grant_ctx *ctx)
{
    memset(call, 0, sizeof *call);
    call->struct_size = sizeof *call;
    call->ctx = ctx;
    call->param = call_param;
    call->client_id = ctx->client->client_id;
    call->client_is_public = ctx->client->is_public;
    call->scope_grant = call_scope_grant;
    call->subject_client = call_subject_client;
    call->subject_password = call_subject_password;
    call->subject_refresh = call_subject_refresh;
    call->want_refresh = call_want_refresh;
    call->error = call_error;
    call->subject_code = call_subject_code;
    call->subject_mfa = call_subject_mfa;
    call->subject_exchange = call_subject_exchange;
    call->subject_organization = call_subject_organization;
    call->subject_device = call_subject_device; /* RFC 8628 */
}
