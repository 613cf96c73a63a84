/* SPDX-License-Identifier: Apache-2.0 */
/* A test plugin built for another ABI major version: the loader must refuse it. */
#include <portcullis/portcullis.h>

static const pc_grant_ops ops = {
    .base = {.abi_major = PC_ABI_MAJOR + 1,
             .abi_minor = 0,
             .struct_size = sizeof(pc_grant_ops),
             .kind = PC_KIND_GRANT,
             .name = "future",
             .version = "9.0.0"},
    .grant_type = "urn:test:future",
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
