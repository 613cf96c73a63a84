/* SPDX-License-Identifier: Apache-2.0 */
/* Cutting every token and session of one user at once, on every node (disable, freeze, reset). */
#include "oauth2/user_cut.h"
#include "oauth2/changes.h"
#include "oauth2/session.h"
#include "server/server.h"

pc_status pc_oauth2_user_cut(pc_store_tx *tx, const pc_tenant *t, const char *user_id)
{
    int64_t longest = t->access_ttl > t->refresh_ttl ? t->access_ttl : t->refresh_ttl;
    pc_status rc;

    if (t->session_ttl > longest)
        longest = t->session_ttl;
    /* The entry lives as long as anything issued before it could. */
    rc = pc_change_write(tx, t->id, "user", user_id, pc_now() + longest + 60);
    if (rc == PC_OK)
        rc = pc_session_end_all(tx, t, user_id);
    return rc;
}
