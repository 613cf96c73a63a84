/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in safety in the API (API.md §11): the admin role stays, and so does one active *:* principal. */
#include "api/safety.h"
#include "iam/superuser.h"
#include "server/store.h"

#include <stdio.h>
#include <string.h>

pc_status pc_api_keep_superuser(pc_store_tx *tx, pc_req *rq, pc_status rc, char *conflict,
                                size_t len)
{
    if (rc != PC_OK)
        return rc;
    rc = pc_iam_superuser_remains(tx, rq->tenant->id, pc_now());
    /* A tenant that had none before (a store from before this rule) is not blocked. */
    if (rc == PC_ERR_CONFLICT &&
        pc_iam_superuser_remains(NULL, rq->tenant->id, pc_now()) == PC_ERR_CONFLICT)
        return PC_OK;
    if (rc == PC_ERR_CONFLICT && conflict != NULL)
        snprintf(conflict, len, "%s", PC_API_CONFLICT_SUPERUSER);
    return rc;
}

int pc_api_is_admin_role(const json_t *role)
{
    const char *name = json_string_value(json_object_get(role, "name"));

    return name != NULL && strcmp(name, PC_IAM_ADMIN_ROLE) == 0;
}

void pc_api_finish_204_conflict(pc_req *rq, pc_store_tx *tx, pc_status rc, const char *conflict)
{
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_empty(rq, 204);
}
