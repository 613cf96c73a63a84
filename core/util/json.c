/* SPDX-License-Identifier: Apache-2.0 */
/* Small questions about JSON values that several layers ask. */
#include "util/json.h"

#include <string.h>

int pc_json_has_string(const json_t *list, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    return 0;
}
