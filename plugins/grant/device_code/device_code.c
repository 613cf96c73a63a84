/* SPDX-License-Identifier: Apache-2.0 */
/* The device authorization grant (RFC 8628 §3.4): input-constrained devices poll for their token. */
#include <portcullis/portcullis.h>

#include <stddef.h>

static pc_status handle(void *state, const pc_grant_call *call)
{
    const char *device_code = call->param(call->ctx, "device_code");

    (void)state;
    /* A host older than subject_device cannot redeem device codes. */
    if (call->struct_size < offsetof(pc_grant_call, subject_device) + sizeof call->subject_device ||
        call->subject_device == NULL) {
        call->error(call->ctx, "unsupported_grant_type", "this server cannot redeem device codes");
        return PC_ERR_INVALID;
    }
    if (device_code == NULL) {
        call->error(call->ctx, "invalid_request", "device_code is required");
        return PC_ERR_INVALID;
    }
    /* The host answers authorization_pending, slow_down, access_denied or expired_token. */
    if (call->subject_device(call->ctx, device_code) != PC_OK)
        return PC_ERR_DENIED;
    call->want_refresh(call->ctx);
    return PC_OK;
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, "device_code", "1.0.0",
                           "Device authorization grant (RFC 8628)", NULL, NULL),
    .grant_type = "urn:ietf:params:oauth:grant-type:device_code",
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
