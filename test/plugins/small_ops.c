/* SPDX-License-Identifier: Apache-2.0 */
/* A test plugin whose operations table is smaller than its kind requires. */
#include <portcullis/portcullis.h>

static const pc_plugin base = {.abi_major = PC_ABI_MAJOR,
                               .abi_minor = 0,
                               .struct_size = sizeof(pc_plugin),
                               .kind = PC_KIND_STORAGE,
                               .name = "tiny",
                               .version = "0.0.1"};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &base;
}
