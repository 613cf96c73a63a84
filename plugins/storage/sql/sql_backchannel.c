/* SPDX-License-Identifier: Apache-2.0 */
/* The back-channel logout outbox (issue #18): claim a due logout message under a lease. */
#include "sql_internal.h"

#include <stdio.h>

/* As the webhook claim: the outer lease test repeats the inner one for SQLite. */
#define LOGOUT_CLAIM                                                                         \
    "UPDATE logout_messages SET attempts = attempts + 1, locked_by = ?, locked_until_ms = ?" \
    " WHERE id = (SELECT m.id FROM logout_messages m WHERE m.status = 'pending'"             \
    " AND m.next_attempt_ms <= ? AND (m.locked_until_ms IS NULL OR m.locked_until_ms < ?)"   \
    " ORDER BY m.next_attempt_ms, m.id LIMIT 1%s)"                                           \
    " AND status = 'pending' AND (locked_until_ms IS NULL OR locked_until_ms < ?)"           \
    " RETURNING %s"

pc_status sql_store_logout_claim(void *state, const char *node, int64_t now_ms, int64_t lease_ms,
                                 json_t **out)
{
    sql_store *st = state;
    char sql[2048];
    sql_param p[5] = {sql_text(node), sql_int(now_ms + lease_ms), sql_int(now_ms), sql_int(now_ms),
                      sql_int(now_ms)};
    sql_result *r = NULL;
    pc_status rc;
    int n = snprintf(sql, sizeof sql, LOGOUT_CLAIM, st->drv->claim_suffix,
                     sql_entity_select_list(PC_ENT_LOGOUT_MESSAGE));

    *out = NULL;
    if (node == NULL || lease_ms <= 0 || n < 0 || (size_t)n >= sizeof sql)
        return PC_ERR_INVALID;
    rc = sql_run_once(st, NULL, sql, p, 5, &r, NULL, 0);
    if (rc == PC_OK && r->nrows == 1)
        *out = sql_row_to_json(sql_entity(PC_ENT_LOGOUT_MESSAGE), r, 0);
    else if (rc == PC_OK)
        rc = PC_ERR_NOT_FOUND;
    sql_result_free(r);
    return rc;
}
