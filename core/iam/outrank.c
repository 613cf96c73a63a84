/* SPDX-License-Identifier: Apache-2.0 */
/* The one "may this principal act on that one" rule: the actor holds every permission the target holds. */
#include "iam/outrank.h"
#include "iam/permcache.h"

#include <string.h>

int pc_iam_holds(const char *tenant_id, const char *principal_id, const char *perm)
{
    return pc_iam_holds_in(tenant_id, principal_id, NULL, perm);
}

int pc_iam_holds_in(const char *tenant_id, const char *principal_id, const char *org_id,
                    const char *perm)
{
    const char *colon = perm ? strchr(perm, ':') : NULL;
    char resource[128];
    int allowed = 0;
    size_t n;

    if (colon == NULL || (n = (size_t)(colon - perm)) >= sizeof resource)
        return 0;
    memcpy(resource, perm, n);
    resource[n] = '\0';
    /* A wildcard is checked as itself: only "ledger:*" or "*:*" covers "ledger:*". */
    if (pc_permcache_check_in(tenant_id, principal_id, org_id, resource, colon + 1, &allowed) !=
        PC_OK)
        return -1;
    return allowed;
}

pc_status pc_iam_outranks(const char *tenant_id, const char *actor_id, const char *target_id,
                          int *may)
{
    json_t *perms = pc_permcache_list(tenant_id, target_id), *v;
    size_t i;
    int h = 1;

    *may = 0;
    if (perms == NULL)
        return PC_ERR_STORAGE;
    json_array_foreach (perms, i, v)
        if (h > 0)
            h = pc_iam_holds(tenant_id, actor_id, json_string_value(v));
    json_decref(perms);
    *may = h > 0;
    return h < 0 ? PC_ERR_STORAGE : PC_OK;
}
