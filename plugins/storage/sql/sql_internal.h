/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the files of the SQL store: state, connections, row conversion. */
#ifndef PC_SQL_INTERNAL_H
#define PC_SQL_INTERNAL_H

#include "sql_store.h"
#include "sql_entities.h"
#include "sql_pool.h"

typedef struct sql_store {
    const sql_driver *drv;
    const pc_host *host;
    char *uri;
    unsigned pool_size;
    sql_pool *pool;
    sql_conn *listener; /**< used by the change-feed waiter thread only */
    /** host->metric_observe when the host offers it, else NULL */
    void (*observe)(const char *name, const char *key, const char *label, double seconds);
} sql_store;

struct pc_store_tx {
    sql_store *st;
    sql_conn *conn;
    int failed; /**< an operation failed: the transaction can only roll back */
};

/** The connection of `tx`, or one borrowed from the pool (then *borrowed is set). */
pc_status sql_conn_get(sql_store *st, pc_store_tx *tx, sql_conn **c, int *borrowed);
void sql_conn_put(sql_store *st, sql_conn *c, int borrowed);

/**
 * Run a statement, logging failures; maps unique violations to
 * PC_ERR_CONFLICT (with the column in `conflict` when given).
 */
pc_status sql_run(sql_store *st, sql_conn *c, const char *sql, const sql_param *p, size_t n,
                  sql_result **out, char *conflict, size_t conflict_len);

/** Run one statement on tx's connection or a borrowed one. */
pc_status sql_run_once(sql_store *st, pc_store_tx *tx, const char *sql, const sql_param *p,
                       size_t n, sql_result **out, char *conflict, size_t conflict_len);

/** A check run before the migration to `to_version`: PC_ERR_CONFLICT (logged, naming
 * the offending rows) when the store holds what that migration cannot carry over. */
/** The schema that keeps usernames and emails folded in C (sql_fold.c); the lead may renumber it. */
#define SQL_FOLD_MIGRATION 10
/** Work a migration needs after its SQL, in its transaction: 10 computes the folded keys. */
pc_status sql_migration_after(sql_store *st, sql_conn *c, int to_version);
/** A unique conflict on "<column>_fold" is one on <column>: strip the suffix in place. */
void sql_fold_column_name(char *column);
pc_status sql_migration_check(sql_store *st, sql_conn *c, int to_version);

/** Row `row` of `r`, whose columns are the entity's, as a JSON object (new). */
json_t *sql_row_to_json(const sql_entity_spec *spec, const sql_result *r, size_t row);

static inline sql_param sql_text(const char *s)
{
    sql_param p = {s ? SQL_TEXT : SQL_NULL, s, 0};
    return p;
}

static inline sql_param sql_int(int64_t i)
{
    sql_param p = {SQL_INT, NULL, i};
    return p;
}

#endif
