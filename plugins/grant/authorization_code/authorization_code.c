/* SPDX-License-Identifier: Apache-2.0 */
/* The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636): browser sign-in for relying parties. */
#include <portcullis/portcullis.h>

#include <stddef.h>

static pc_status handle(void *state, const pc_grant_call *call)
{
    const char *code = call->param(call->ctx, "code");

    (void)state;
    /* A host older than subject_code cannot redeem codes. */
    if (call->struct_size < offsetof(pc_grant_call, subject_code) + sizeof call->subject_code ||
        call->subject_code == NULL) {
        call->error(call->ctx, "unsupported_grant_type", "this server cannot redeem codes");
        return PC_ERR_INVALID;
    }
    if (code == NULL) {
        call->error(call->ctx, "invalid_request", "code is required");
        return PC_ERR_INVALID;
    }
    /* The host takes the code once and checks client, redirect_uri and code_verifier. */
    if (call->subject_code(call->ctx, code, call->param(call->ctx, "redirect_uri"),
                           call->param(call->ctx, "code_verifier")) != PC_OK)
        return PC_ERR_DENIED;
    call->want_refresh(call->ctx);
    return PC_OK;
}

static const pc_grant_ops ops = {
    .base =
        PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, "authorization_code", "1.0.0",
                       "Authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636)", NULL, NULL),
    .grant_type = "authorization_code",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
