/* SPDX-License-Identifier: Apache-2.0 */
/* The client_credentials grant (RFC 6749 §4.4): a token for the client itself. */
#include <portcullis/portcullis.h>

static pc_status handle(void *state, const pc_grant_call *call)
{
    (void)state;
    /* RFC 6749 §4.4.2: only confidential clients may use this grant. */
    if (call->client_is_public) {
        call->error(call->ctx, "unauthorized_client",
                    "public clients cannot use client_credentials");
        return PC_ERR_DENIED;
    }
    if (call->scope_grant(call->ctx, call->param(call->ctx, "scope")) != PC_OK)
        return PC_ERR_DENIED;
    /* §4.4.3: no refresh token. */
    return call->subject_client(call->ctx);
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, "client_credentials", "1.0.0",
                           "OAuth 2.0 client credentials grant (RFC 6749 §4.4)", NULL, NULL),
    .grant_type = "client_credentials",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
