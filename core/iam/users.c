/* SPDX-License-Identifier: Apache-2.0 */
/* The rules of a user record: its status at a time, emails in their stored form. */
#include "iam/users.h"
#include "server/server.h"
#include "util/fold.h"
#include "util/mem.h"

#include <stdlib.h>

#include <string.h>

int pc_iam_user_disabled(const json_t *user, int64_t now)
{
    const char *status = json_string_value(json_object_get(user, "status"));
    const json_t *until = json_object_get(user, "disabled_until");

    if (status != NULL && strcmp(status, "active") != 0)
        return 1;
    /* API.md §11: a freeze reads disabled until it ends, without any write. */
    return json_is_integer(until) && json_integer_value(until) > now;
}

int pc_iam_user_active(const json_t *user, int64_t now)
{
    return user != NULL && json_is_null(json_object_get(user, "deleted_at")) &&
           !pc_iam_user_disabled(user, now);
}

const char *pc_iam_user_status(const json_t *user, int64_t now)
{
    return pc_iam_user_disabled(user, now) ? "disabled" : "active";
}

char *pc_iam_email_normal(const char *email)
{
    char *lower;

    if (email == NULL)
        return NULL;
    /* Unicode lowercase, in C, so that every store keeps the same form (API.md §11) */
    if ((lower = pc_fold_lower(email)) == NULL)
        abort(); /* out of memory, as pc_strdup() */
    return lower;
}
