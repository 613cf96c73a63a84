/* SPDX-License-Identifier: Apache-2.0 */
/* The grant-type plugins loaded, by grant_type. */
#include "oauth2/grants.h"
#include "server/server.h"

#include <string.h>

const pc_grant_ops *pc_grants_find(const char *grant_type, void **state)
{
    pc_registry *reg = &pc_srv->plugins;

    for (size_t i = 0; i < reg->n; i++) {
        const pc_grant_ops *ops = (const pc_grant_ops *)reg->items[i].desc;
        if (ops->base.kind != PC_KIND_GRANT || !reg->items[i].initialised ||
            ops->grant_type == NULL)
            continue;
        if (strcmp(ops->grant_type, grant_type) == 0) {
            *state = reg->items[i].state;
            return ops;
        }
    }
    return NULL;
}

json_t *pc_grants_list(void)
{
    pc_registry *reg = &pc_srv->plugins;
    json_t *a = json_array();

    for (size_t i = 0; i < reg->n; i++) {
        const pc_grant_ops *ops = (const pc_grant_ops *)reg->items[i].desc;
        if (ops->base.kind == PC_KIND_GRANT && reg->items[i].initialised && ops->grant_type)
            json_array_append_new(a, json_string(ops->grant_type));
    }
    return a;
}

int pc_grants_loaded(const char *grant_type)
{
    void *state;

    return pc_grants_find(grant_type, &state) != NULL;
}
