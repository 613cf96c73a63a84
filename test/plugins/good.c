/* SPDX-License-Identifier: Apache-2.0 */
/* A well-formed test plugin (kind grant) the loader must accept. */
#include <portcullis/portcullis.h>

static pc_status handle(void *state, const pc_grant_call *call)
{
    (void)state;
    return call->subject_client(call->ctx);
}

static const pc_grant_ops ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, TEST_PLUGIN_NAME, "0.0.1",
                           "loader test plugin", NULL, NULL),
    .grant_type = "urn:test:" TEST_PLUGIN_NAME,
    .handle = handle,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
