/* SPDX-License-Identifier: Apache-2.0 */
/* resource:action permissions and their wildcards (API.md §4). */
#include "iam/permissions.h"

#include <string.h>

static int part_valid(const char *s, size_t n)
{
    if (n == 1 && s[0] == '*')
        return 1;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int pc_perm_valid(const char *perm)
{
    const char *colon = perm ? strchr(perm, ':') : NULL;

    if (colon == NULL || strchr(colon + 1, ':') != NULL)
        return 0;
    return part_valid(perm, (size_t)(colon - perm)) && part_valid(colon + 1, strlen(colon + 1));
}

static int part_covers(const char *granted, size_t n, const char *wanted)
{
    if (n == 1 && granted[0] == '*')
        return 1;
    return strlen(wanted) == n && strncmp(granted, wanted, n) == 0;
}

int pc_perm_covers(const char *granted, const char *resource, const char *action)
{
    const char *colon = granted ? strchr(granted, ':') : NULL;

    if (colon == NULL)
        return 0;
    return part_covers(granted, (size_t)(colon - granted), resource) &&
           part_covers(colon + 1, strlen(colon + 1), action);
}

int pc_perm_set_allows(const json_t *set, const char *resource, const char *action)
{
    size_t i;
    json_t *p;

    json_array_foreach (set, i, p)
        if (pc_perm_covers(json_string_value(p), resource, action))
            return 1;
    return 0;
}
