/* SPDX-License-Identifier: Apache-2.0 */
/* The refresh_token grant (RFC 6749 §6): rotation on every use, replay revokes the family. */
#include <portcullis/portcullis.h>

static pc_status handle(void *state, const pc_grant_call *call)
{
    const char *token = call->param(call->ctx, "refresh_token");

    (void)state;
    if (token == NULL) {
        call->error(call->ctx, "invalid_request", "refresh_token is required");
        return PC_ERR_INVALID;
    }
    /* The host rotates the token and settles the (narrower or equal) scope. */
    return call->subject_refresh(call->ctx, token);
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, "refresh_token", "1.0.0",
                           "Refresh token grant with rotation (RFC 6749 §6)", NULL, NULL),
    .grant_type = "refresh_token",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
