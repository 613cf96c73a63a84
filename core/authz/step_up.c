/* SPDX-License-Identifier: Apache-2.0 */
/* Step-up (API.md §16): which calls need a fresh second factor, decided from the tenant setting. */
#include "authz/step_up.h"
#include "iam/permissions.h"

#include <string.h>

int pc_pdp_amr_has_mfa(const json_t *amr)
{
    size_t i;
    json_t *v;

    json_array_foreach (amr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), "mfa") == 0)
            return 1;
    return 0;
}

int64_t pc_pdp_step_up_max_age(const json_t *settings)
{
    const json_t *age = json_object_get(json_object_get(settings, "step_up"), "max_age");

    return json_is_integer(age) && json_integer_value(age) >= 0 ? json_integer_value(age)
                                                                : PC_STEP_UP_MAX_AGE;
}

int pc_pdp_step_up_needed(const json_t *settings, const json_t *claims, const char *resource,
                          const char *action, int64_t now, int64_t *max_age)
{
    const json_t *step_up = json_object_get(settings, "step_up");
    int64_t auth_time = json_integer_value(json_object_get(claims, "auth_time"));

    *max_age = pc_pdp_step_up_max_age(settings);
    if (json_object_get(claims, "sid") == NULL) /* an application's token: not affected */
        return 0;
    if (!pc_perm_set_allows(json_object_get(step_up, "permissions"), resource, action))
        return 0;
    return !pc_pdp_amr_has_mfa(json_object_get(claims, "amr")) || auth_time <= 0 ||
           now - auth_time > *max_age;
}
