/* SPDX-License-Identifier: Apache-2.0 */
/* The token exchange grant (RFC 8693): down-scoping, and impersonation with a reason (API.md §16). */
#include <portcullis/portcullis.h>

#include <stddef.h>
#include <string.h>

#define ACCESS_TOKEN_TYPE "urn:ietf:params:oauth:token-type:access_token"

static int is_access_type(const char *t)
{
    return t != NULL && strcmp(t, ACCESS_TOKEN_TYPE) == 0;
}

static pc_status handle(void *state, const pc_grant_call *call)
{
    const char *subject_token = call->param(call->ctx, "subject_token");
    const char *subject_type = call->param(call->ctx, "subject_token_type");
    const char *requested_type = call->param(call->ctx, "requested_token_type");

    (void)state;
    if (call->struct_size <
        offsetof(pc_grant_call, subject_exchange) + sizeof call->subject_exchange) {
        call->error(call->ctx, "unsupported_grant_type", "this server cannot exchange tokens");
        return PC_ERR_INVALID;
    }
    /* RFC 8693 §2.1: subject_token and subject_token_type are required */
    if (subject_token == NULL || subject_type == NULL) {
        call->error(call->ctx, "invalid_request",
                    "subject_token and subject_token_type are required");
        return PC_ERR_INVALID;
    }
    if (!is_access_type(subject_type) ||
        (requested_type != NULL && !is_access_type(requested_type))) {
        call->error(call->ctx, "invalid_request",
                    "only access tokens are exchanged, for access tokens");
        return PC_ERR_INVALID;
    }
    if (call->param(call->ctx, "actor_token") != NULL) {
        call->error(call->ctx, "invalid_request", "actor_token is not supported");
        return PC_ERR_INVALID;
    }
    /* The host verifies the token, checks the rights, audits; no refresh token is asked for. */
    return call->subject_exchange(call->ctx, subject_token,
                                  call->param(call->ctx, "requested_subject"),
                                  call->param(call->ctx, "reason"));
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, "token_exchange", "1.0.0",
                           "Token exchange (RFC 8693): down-scoping and impersonation", NULL, NULL),
    .grant_type = "urn:ietf:params:oauth:grant-type:token-exchange",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
