/* SPDX-License-Identifier: Apache-2.0 */
/* The password grant (RFC 6749 §4.3): a user's own credentials, for first-party apps and CLIs. */
#include <portcullis/portcullis.h>

static pc_status handle(void *state, const pc_grant_call *call)
{
    const char *username = call->param(call->ctx, "username");
    const char *password = call->param(call->ctx, "password");

    (void)state;
    if (username == NULL || password == NULL) {
        call->error(call->ctx, "invalid_request", "username and password are required");
        return PC_ERR_INVALID;
    }
    if (call->scope_grant(call->ctx, call->param(call->ctx, "scope")) != PC_OK)
        return PC_ERR_DENIED;
    /* The host throttles, checks the argon2id hash, audits and opens the session. */
    if (call->subject_password(call->ctx, username, password) != PC_OK)
        return PC_ERR_DENIED;
    call->want_refresh(call->ctx);
    return PC_OK;
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, "password", "1.0.0",
                           "Resource owner password credentials grant (RFC 6749 §4.3)", NULL, NULL),
    .grant_type = "password",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
