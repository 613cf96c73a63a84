/* SPDX-License-Identifier: Apache-2.0 */
/* Failure counters shared by every node (table failure_counters; wired by the PostgreSQL plugin). */
#include "sql_internal.h"

#include <stdlib.h>

/*
 * One statement counts a failure and reads the window back. In an upsert every
 * SET expression sees the row as it was, so the window restarts (1 failure, now)
 * when it started at or before now - window, and grows otherwise. Concurrent
 * failures on several nodes queue on the row lock and each adds one.
 */
#define UPSERT                                                                                \
    "INSERT INTO failure_counters (key, failures, window_start, last_failure)"                \
    " VALUES (?, 1, ?, ?) ON CONFLICT (key) DO UPDATE SET"                                    \
    " failures = CASE WHEN failure_counters.window_start <= ? THEN 1"                         \
    " ELSE failure_counters.failures + 1 END,"                                                \
    " window_start = CASE WHEN failure_counters.window_start <= ? THEN EXCLUDED.window_start" \
    " ELSE failure_counters.window_start END,"                                                \
    " last_failure = EXCLUDED.last_failure"                                                   \
    " RETURNING failures, window_start, last_failure"

static pc_status read_window(const sql_result *r, pc_failure_window *out)
{
    if (r->nrows == 0)
        return PC_ERR_NOT_FOUND;
    out->failures = strtoll(sql_cell(r, 0, 0), NULL, 10);
    out->window_start = strtoll(sql_cell(r, 0, 1), NULL, 10);
    out->last_failure = strtoll(sql_cell(r, 0, 2), NULL, 10);
    return PC_OK;
}

pc_status sql_store_failure_add(void *state, const char *key, int64_t now, int64_t window,
                                pc_failure_window *out)
{
    sql_param p[5] = {sql_text(key), sql_int(now), sql_int(now), sql_int(now - window),
                      sql_int(now - window)};
    sql_result *r = NULL;
    pc_status rc = sql_run_once(state, NULL, UPSERT, p, 5, &r, NULL, 0);

    if (rc == PC_OK)
        rc = read_window(r, out) == PC_OK ? PC_OK : PC_ERR_STORAGE;
    sql_result_free(r);
    return rc;
}

pc_status sql_store_failure_get(void *state, const char *key, int64_t now, int64_t window,
                                pc_failure_window *out)
{
    sql_param p[2] = {sql_text(key), sql_int(now - window)};
    sql_result *r = NULL;
    pc_status rc = sql_run_once(state, NULL,
                                "SELECT failures, window_start, last_failure FROM failure_counters"
                                " WHERE key = ? AND window_start > ?",
                                p, 2, &r, NULL, 0);

    if (rc == PC_OK)
        rc = read_window(r, out);
    sql_result_free(r);
    return rc;
}

pc_status sql_store_failure_clear(void *state, const char *key)
{
    sql_param p = sql_text(key);

    return sql_run_once(state, NULL, "DELETE FROM failure_counters WHERE key = ?", &p, 1, NULL,
                        NULL, 0);
}

pc_status sql_store_failure_purge(void *state, int64_t before)
{
    sql_param p = sql_int(before);

    return sql_run_once(state, NULL, "DELETE FROM failure_counters WHERE window_start < ?", &p, 1,
                        NULL, NULL, 0);
}
