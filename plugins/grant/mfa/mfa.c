/* SPDX-License-Identifier: Apache-2.0 */
/* The mfa grant: completes a password sign-in that answered mfa_required, with mfa_token, method and code. */
#include <portcullis/portcullis.h>
#include <stddef.h>

#define HAS_MEMBER(ptr, type, member) \
    ((ptr)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

static pc_status handle(void *state, const pc_grant_call *call)
{
    const char *token = call->param(call->ctx, "mfa_token");
    const char *method = call->param(call->ctx, "method");
    const char *code = call->param(call->ctx, "code");

    (void)state;
    if (!HAS_MEMBER(call, pc_grant_call, subject_mfa) || call->subject_mfa == NULL) {
        call->error(call->ctx, "unsupported_grant_type",
                    "this server cannot complete multi-factor sign-ins");
        return PC_ERR_INVALID;
    }
    if (token == NULL || method == NULL || code == NULL) {
        call->error(call->ctx, "invalid_request", "mfa_token, method and code are required");
        return PC_ERR_INVALID;
    }
    /* The host checks the code with the method's scheme; the scope is the password step's. */
    if (call->subject_mfa(call->ctx, token, method, code) != PC_OK)
        return PC_ERR_DENIED;
    call->want_refresh(call->ctx);
    return PC_OK;
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(
        pc_grant_ops, PC_KIND_GRANT, "mfa", "1.0.0",
        "Second factor after mfa_required (urn:portcullis:params:oauth:grant-type:mfa)", NULL,
        NULL),
    .grant_type = "urn:portcullis:params:oauth:grant-type:mfa",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
