/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook outbox operations: claim a due message under a lease, settle an attempt, count the queue. */
#include "sql_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The oldest due, unleased message of an enabled webhook, leased to one claimer.
 * The outer lease test repeats the inner one so that, where the subquery cannot
 * lock (SQLite serialises writers instead), a row leased meanwhile is not taken. */
#define CLAIM_UPDATE                                                                          \
    "UPDATE webhook_messages SET attempts = attempts + 1, locked_by = ?, locked_until_ms = ?" \
    " WHERE id = (SELECT m.id FROM webhook_messages m JOIN webhooks w ON w.id = m.webhook_id" \
    " WHERE m.status = 'pending' AND m.next_attempt_ms <= ?"                                  \
    " AND (m.locked_until_ms IS NULL OR m.locked_until_ms < ?) AND w.enabled = 1"             \
    " ORDER BY m.next_attempt_ms, m.id LIMIT 1%s)"                                            \
    " AND status = 'pending' AND (locked_until_ms IS NULL OR locked_until_ms < ?)"            \
    " RETURNING %s"

static pc_status claim_row(sql_store *st, pc_store_tx *tx, const char *node, int64_t now_ms,
                           int64_t lease_ms, json_t **out)
{
    char sql[2048];
    sql_param p[5] = {sql_text(node), sql_int(now_ms + lease_ms), sql_int(now_ms), sql_int(now_ms),
                      sql_int(now_ms)};
    sql_result *r = NULL;
    pc_status rc;
    int n = snprintf(sql, sizeof sql, CLAIM_UPDATE, st->drv->claim_suffix,
                     sql_entity_select_list(PC_ENT_WEBHOOK_MESSAGE));

    if (n < 0 || (size_t)n >= sizeof sql)
        return PC_ERR_INTERNAL;
    rc = sql_run_once(st, tx, sql, p, 5, &r, NULL, 0);
    if (rc == PC_OK && r->nrows == 1)
        *out = sql_row_to_json(sql_entity(PC_ENT_WEBHOOK_MESSAGE), r, 0);
    else if (rc == PC_OK)
        rc = PC_ERR_NOT_FOUND;
    sql_result_free(r);
    return rc;
}

/* The attempts a dead node left "pending" are over; the new one starts "pending". */
static pc_status open_attempt(sql_store *st, pc_store_tx *tx, const json_t *msg, const char *node,
                              int64_t now_ms, const char *attempt_id)
{
    const char *mid = json_string_value(json_object_get(msg, "id"));
    sql_param stale[1] = {sql_text(mid)};
    json_t *a;
    pc_status rc;

    rc = sql_run_once(st, tx,
                      "UPDATE webhook_attempts SET status = 'failed', error = 'interrupted'"
                      " WHERE message_id = ? AND status = 'pending'",
                      stale, 1, NULL, NULL, 0);
    if (rc != PC_OK)
        return rc;
    a = json_pack("{s:s,s:O,s:O,s:s,s:O,s:O,s:O,s:s,s:n,s:n,s:I,s:n,s:s}", "id", attempt_id,
                  "tenant_id", json_object_get(msg, "tenant_id"), "webhook_id",
                  json_object_get(msg, "webhook_id"), "message_id", mid, "event_id",
                  json_object_get(msg, "event_id"), "type", json_object_get(msg, "type"), "attempt",
                  json_object_get(msg, "attempts"), "status", "pending", "response_status", "error",
                  "created_at", (json_int_t)(now_ms / 1000), "next_attempt_at", "node", node);
    rc = a ? sql_store_insert(st, tx, PC_ENT_WEBHOOK_ATTEMPT, a, NULL, 0) : PC_ERR_INTERNAL;
    json_decref(a);
    return rc;
}

pc_status sql_store_webhook_claim(void *state, const char *node, int64_t now_ms, int64_t lease_ms,
                                  const char *attempt_id, json_t **out)
{
    pc_store_tx *tx = NULL;
    json_t *msg = NULL;
    pc_status rc;

    *out = NULL;
    if (node == NULL || attempt_id == NULL || lease_ms <= 0)
        return PC_ERR_INVALID;
    rc = sql_store_begin(state, &tx);
    if (rc != PC_OK)
        return rc;
    rc = claim_row(state, tx, node, now_ms, lease_ms, &msg);
    if (rc == PC_OK)
        rc = open_attempt(state, tx, msg, node, now_ms, attempt_id);
    if (rc != PC_OK) {
        sql_store_rollback(tx);
        json_decref(msg);
        return rc;
    }
    rc = sql_store_commit(tx);
    if (rc == PC_OK)
        *out = msg;
    else
        json_decref(msg);
    return rc;
}

/* An integer member of `o` as a parameter: NULL when absent or null. */
static sql_param int_or_null(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    sql_param p = {SQL_NULL, NULL, 0};

    if (json_is_integer(v))
        p = sql_int(json_integer_value(v));
    return p;
}

static pc_status settle_message(sql_store *st, pc_store_tx *tx, const char *tenant_id,
                                const char *message_id, const char *node, const json_t *m)
{
    sql_param p[6] = {sql_text(json_string_value(json_object_get(m, "status"))),
                      int_or_null(m, "next_attempt_ms"),
                      int_or_null(m, "done_at"),
                      sql_text(tenant_id),
                      sql_text(message_id),
                      sql_text(node)};
    sql_result *r = NULL;
    pc_status rc;

    if (p[0].type == SQL_NULL)
        return PC_ERR_INVALID;
    /* A finished message keeps its last due time: next_attempt_ms is NOT NULL. */
    rc = sql_run_once(st, tx,
                      "UPDATE webhook_messages SET status = ?,"
                      " next_attempt_ms = COALESCE(?, next_attempt_ms), done_at = ?,"
                      " locked_by = NULL, locked_until_ms = NULL"
                      " WHERE tenant_id = ? AND id = ? AND locked_by = ?",
                      p, 6, &r, NULL, 0);
    if (rc == PC_OK && r->changes == 0)
        rc = PC_ERR_CONFLICT;
    sql_result_free(r);
    return rc;
}

pc_status sql_store_webhook_settle(void *state, const char *tenant_id, const char *message_id,
                                   const char *node, const char *attempt_id, const json_t *attempt,
                                   const json_t *message)
{
    pc_store_tx *tx = NULL;
    pc_status rc, held;

    if (tenant_id == NULL || message_id == NULL || node == NULL || attempt_id == NULL ||
        !json_is_object(attempt) || !json_is_object(message))
        return PC_ERR_INVALID;
    rc = sql_store_begin(state, &tx);
    if (rc != PC_OK)
        return rc;
    rc = sql_store_update(state, tx, PC_ENT_WEBHOOK_ATTEMPT, tenant_id, attempt_id, attempt, NULL,
                          0);
    held = rc == PC_OK ? settle_message(state, tx, tenant_id, message_id, node, message) : rc;
    if (rc != PC_OK || (held != PC_OK && held != PC_ERR_CONFLICT)) {
        sql_store_rollback(tx);
        return rc != PC_OK ? rc : held;
    }
    rc = sql_store_commit(tx);
    return rc != PC_OK ? rc : held;
}

pc_status sql_store_webhook_stats(void *state, int64_t *pending, int64_t *oldest)
{
    sql_result *r = NULL;
    pc_status rc;

    *pending = 0;
    *oldest = 0;
    rc = sql_run_once(state, NULL,
                      "SELECT COUNT(*), MIN(created_at) FROM webhook_messages"
                      " WHERE status = 'pending'",
                      NULL, 0, &r, NULL, 0);
    if (rc == PC_OK && r->nrows == 1) {
        *pending = sql_cell(r, 0, 0) ? strtoll(sql_cell(r, 0, 0), NULL, 10) : 0;
        *oldest = sql_cell(r, 0, 1) ? strtoll(sql_cell(r, 0, 1), NULL, 10) : 0;
    }
    sql_result_free(r);
    return rc;
}
