/* SPDX-License-Identifier: Apache-2.0 */
/* Ending a management transaction: commit or roll back, then apply its change-feed entries here at once. */
#include "api/api.h"
#include "oauth2/changes.h"
#include "server/store.h"

pc_status pc_api_finish(pc_store_tx *tx, pc_status rc)
{
    if (tx == NULL)
        return rc;
    rc = pc_db_finish(tx, rc);
    /* This node sees revocations and permission changes on the very next request. */
    if (rc == PC_OK)
        pc_changes_sync();
    return rc;
}

void pc_api_finish_204(pc_req *rq, pc_store_tx *tx, pc_status rc)
{
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_empty(rq, 204);
}
