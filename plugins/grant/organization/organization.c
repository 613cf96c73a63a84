/* SPDX-License-Identifier: Apache-2.0 */
/* The organization grant: completes a password sign-in that answered organization_required (API.md §18). */
#include <portcullis/portcullis.h>
#include <stddef.h>

#define HAS_MEMBER(ptr, type, member) \
    ((ptr)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

static pc_status handle(void *state, const pc_grant_call *call)
{
    const char *token = call->param(call->ctx, "organization_token");
    const char *organization = call->param(call->ctx, "organization");

    (void)state;
    if (!HAS_MEMBER(call, pc_grant_call, subject_organization) ||
        call->subject_organization == NULL) {
        call->error(call->ctx, "unsupported_grant_type",
                    "this server cannot complete organization choices");
        return PC_ERR_INVALID;
    }
    if (token == NULL || organization == NULL) {
        call->error(call->ctx, "invalid_request",
                    "organization_token and organization are required");
        return PC_ERR_INVALID;
    }
    /* The host checks the token (client-bound, single use) and the membership. */
    if (call->subject_organization(call->ctx, token, organization) != PC_OK)
        return PC_ERR_DENIED;
    call->want_refresh(call->ctx);
    return PC_OK;
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, "organization", "1.0.0",
                           "Organization choice after organization_required "
                           "(urn:portcullis:params:oauth:grant-type:organization)",
                           NULL, NULL),
    .grant_type = "urn:portcullis:params:oauth:grant-type:organization",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
