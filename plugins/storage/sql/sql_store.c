/* SPDX-License-Identifier: Apache-2.0 */
/* The SQL store: lifecycle, connections, transactions and schema migrations. */
#include "sql_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_POOL_SIZE 8

static void store_log(sql_store *st, pc_log_level lvl, const char *what, const char *detail)
{
    if (st->host != NULL && st->host->log != NULL)
        st->host->log(lvl, st->drv->name, "%s: %s", what, detail ? detail : "");
}

pc_status sql_store_init(const sql_driver *drv, const pc_host *host, const json_t *config,
                         void **state)
{
    const char *uri = json_string_value(json_object_get(config, "uri"));
    json_int_t pool = json_integer_value(json_object_get(config, "pool_size"));
    sql_store *st;

    if (uri == NULL)
        return PC_ERR_INVALID;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return PC_ERR_INTERNAL;
    st->drv = drv;
    st->host = host;
    if (host != NULL && host->struct_size >= offsetof(pc_host, metric_observe) + sizeof(void *))
        st->observe = host->metric_observe; /* may be NULL: then nothing is timed */
    st->uri = strdup(uri);
    st->pool_size = pool > 0 && pool < 1024 ? (unsigned)pool : DEFAULT_POOL_SIZE;
    *state = st;
    return st->uri ? PC_OK : PC_ERR_INTERNAL;
}

void sql_store_fini(void *state)
{
    sql_store *st = state;

    if (st == NULL)
        return;
    if (st->listener != NULL)
        st->drv->disconnect(st->listener);
    sql_pool_free(st->pool);
    free(st->uri);
    free(st);
}

pc_status sql_store_open(void *state)
{
    sql_store *st = state;
    sql_conn *c = NULL;
    char err[256] = "";
    pc_status rc;

    st->pool = sql_pool_new(st->drv, st->uri, st->pool_size);
    if (st->pool == NULL)
        return PC_ERR_INTERNAL;
    sql_pool_observe(st->pool, st->host);
    /* Open one connection now so that a wrong URI fails at start, not later. */
    rc = sql_pool_acquire(st->pool, &c, err, sizeof err);
    if (rc != PC_OK) {
        store_log(st, PC_LOG_ERROR, "cannot connect", err);
        return rc;
    }
    sql_pool_release(st->pool, c);
    return PC_OK;
}

pc_status sql_conn_get(sql_store *st, pc_store_tx *tx, sql_conn **c, int *borrowed)
{
    char err[256] = "";
    pc_status rc;

    *borrowed = 0;
    if (tx != NULL) {
        *c = tx->conn;
        return PC_OK;
    }
    rc = sql_pool_acquire(st->pool, c, err, sizeof err);
    if (rc != PC_OK) {
        store_log(st, PC_LOG_ERROR, "cannot connect", err);
        return PC_ERR_STORAGE;
    }
    *borrowed = 1;
    return PC_OK;
}

void sql_conn_put(sql_store *st, sql_conn *c, int borrowed)
{
    if (borrowed)
        sql_pool_release(st->pool, c);
}

/* The statement's first word (SELECT, INSERT, UPDATE, DELETE, ...): the latency metric's label. */
static const char *statement_kind(const char *sql)
{
    static const char *const kinds[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"};

    while (*sql == ' ' || *sql == '\n' || *sql == '(')
        sql++;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strncasecmp(sql, kinds[i], strlen(kinds[i])) == 0)
            return kinds[i];
    return "OTHER";
}

/* The driver's query, timed into portcullis_store_query_duration_seconds when the host can. */
static pc_status timed_query(sql_store *st, sql_conn *c, const char *sql, const sql_param *p,
                             size_t n, sql_result **out)
{
    struct timespec t0, t1;
    pc_status rc;

    if (st->observe == NULL)
        return st->drv->query(c, sql, p, n, out);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = st->drv->query(c, sql, p, n, out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    st->observe("store_query_duration", "statement", statement_kind(sql),
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return rc;
}

pc_status sql_run(sql_store *st, sql_conn *c, const char *sql, const sql_param *p, size_t n,
                  sql_result **out, char *conflict, size_t conflict_len)
{
    char column[64] = "";

    if (timed_query(st, c, sql, p, n, out) == PC_OK)
        return PC_OK;
    switch (st->drv->last_error(c, column, sizeof column)) {
    case SQL_ERR_UNIQUE:
        sql_fold_column_name(column); /* "username_fold" is the username's conflict */
        if (conflict != NULL && conflict_len > 0)
            snprintf(conflict, conflict_len, "%s", column);
        return PC_ERR_CONFLICT;
    case SQL_ERR_BUSY:
        store_log(st, PC_LOG_WARNING, "store busy", st->drv->last_message(c));
        return PC_ERR_STORAGE;
    default:
        store_log(st, PC_LOG_ERROR, "query failed", st->drv->last_message(c));
        return PC_ERR_STORAGE;
    }
}

pc_status sql_run_once(sql_store *st, pc_store_tx *tx, const char *sql, const sql_param *p,
                       size_t n, sql_result **out, char *conflict, size_t conflict_len)
{
    sql_conn *c;
    int borrowed;
    pc_status rc;

    /* PostgreSQL aborts a transaction at its first error; SQLite would go on.
     * storage.h promises one behaviour: a failed transaction stays failed. */
    if (tx != NULL && tx->failed)
        return PC_ERR_STORAGE;
    rc = sql_conn_get(st, tx, &c, &borrowed);
    if (rc != PC_OK)
        return rc;
    rc = sql_run(st, c, sql, p, n, out, conflict, conflict_len);
    sql_conn_put(st, c, borrowed);
    if (tx != NULL && rc != PC_OK)
        tx->failed = 1;
    return rc;
}

/*
 * Reachable is not enough to serve: a read-only file, a full disk or a
 * read-only standby answer SELECT 1 and then fail every sign-in that writes a
 * session. So the probe writes a row (to its own value) and commits.
 */
pc_status sql_store_ping(void *state)
{
    pc_store_tx *tx = NULL;
    pc_status rc = sql_store_begin(state, &tx);

    if (rc != PC_OK)
        return rc;
    rc = sql_run_once(state, tx, "UPDATE schema_version SET version = version", NULL, 0, NULL, NULL,
                      0);
    if (rc != PC_OK) {
        sql_store_rollback(tx);
        return rc;
    }
    return sql_store_commit(tx);
}

pc_status sql_store_begin(void *state, pc_store_tx **tx)
{
    sql_store *st = state;
    pc_store_tx *t;
    int borrowed;
    pc_status rc;

    t = calloc(1, sizeof *t);
    if (t == NULL)
        return PC_ERR_INTERNAL;
    t->st = st;
    rc = sql_conn_get(st, NULL, &t->conn, &borrowed);
    if (rc == PC_OK && st->drv->exec(t->conn, st->drv->begin_sql) != PC_OK) {
        store_log(st, PC_LOG_ERROR, "cannot begin", st->drv->last_message(t->conn));
        sql_pool_release(st->pool, t->conn);
        rc = PC_ERR_STORAGE;
    }
    if (rc != PC_OK) {
        free(t);
        return rc;
    }
    *tx = t;
    return PC_OK;
}

static void tx_end(pc_store_tx *tx)
{
    sql_pool_release(tx->st->pool, tx->conn);
    free(tx);
}

pc_status sql_store_commit(pc_store_tx *tx)
{
    sql_store *st;
    pc_status rc = PC_OK;

    if (tx == NULL)
        return PC_ERR_INVALID;
    st = tx->st;
    if (tx->failed) {
        sql_store_rollback(tx);
        return PC_ERR_STORAGE;
    }
    if (st->drv->exec(tx->conn, "COMMIT") != PC_OK) {
        store_log(st, PC_LOG_ERROR, "commit failed", st->drv->last_message(tx->conn));
        st->drv->exec(tx->conn, "ROLLBACK");
        rc = PC_ERR_STORAGE;
    }
    tx_end(tx);
    return rc;
}

void sql_store_rollback(pc_store_tx *tx)
{
    if (tx == NULL)
        return;
    tx->st->drv->exec(tx->conn, "ROLLBACK");
    tx_end(tx);
}

static pc_status read_version(sql_store *st, sql_conn *c, int *version)
{
    sql_result *r = NULL;
    pc_status rc = sql_run(st, c, "SELECT version FROM schema_version", NULL, 0, &r, NULL, 0);

    *version = 0;
    if (rc == PC_OK && r->nrows > 0)
        *version = atoi(sql_cell(r, 0, 0));
    sql_result_free(r);
    return rc;
}

static pc_status apply_migrations(sql_store *st, sql_conn *c, int *from, int *to)
{
    const sql_driver *d = st->drv;
    pc_status rc;

    if (d->migrate_lock_sql != NULL && d->exec(c, d->migrate_lock_sql) != PC_OK)
        return PC_ERR_STORAGE;
    if (d->exec(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)") != PC_OK)
        return PC_ERR_STORAGE;
    rc = read_version(st, c, from);
    if (rc != PC_OK)
        return rc;
    *to = *from;
    if (*from > d->migration_count) {
        if (st->host != NULL)
            st->host->log(PC_LOG_ERROR, d->name,
                          "the store has schema version %d, newer than this build supports (%d); "
                          "refusing to use it: upgrade Portcullis",
                          *from, d->migration_count);
        return PC_ERR_STORAGE;
    }
    for (int v = *from; v < d->migration_count; v++) {
        if ((rc = sql_migration_check(st, c, v + 1)) != PC_OK)
            return rc;
        if (d->exec(c, d->migrations[v]) != PC_OK)
            return PC_ERR_STORAGE;
        if ((rc = sql_migration_after(st, c, v + 1)) != PC_OK)
            return rc;
    }
    if (*from == d->migration_count)
        return PC_OK;
    *to = d->migration_count;
    if (d->exec(c, "DELETE FROM schema_version") != PC_OK)
        return PC_ERR_STORAGE;
    sql_param p = sql_int(*to);
    return sql_run(st, c, "INSERT INTO schema_version (version) VALUES (?)", &p, 1, NULL, NULL, 0);
}

pc_status sql_store_migrate(void *state, int *from, int *to)
{
    sql_store *st = state;
    pc_store_tx *tx = NULL;
    pc_status rc = sql_store_begin(st, &tx);

    if (rc != PC_OK)
        return rc;
    rc = apply_migrations(st, tx->conn, from, to);
    if (rc != PC_OK) {
        if (rc == PC_ERR_STORAGE)
            store_log(st, PC_LOG_ERROR, "migration failed", st->drv->last_message(tx->conn));
        sql_store_rollback(tx);
        return rc;
    }
    return sql_store_commit(tx);
}

pc_status sql_store_schema_version(void *state, int *store, int *supported)
{
    sql_store *st = state;
    sql_conn *c;
    int borrowed;
    sql_result *r = NULL;
    pc_status rc = sql_conn_get(st, NULL, &c, &borrowed);

    if (rc != PC_OK)
        return rc;
    *supported = st->drv->migration_count;
    *store = 0;
    /* A store that never migrated has no version table yet: version 0. */
    if (st->drv->query(c, "SELECT version FROM schema_version", NULL, 0, &r) == PC_OK &&
        r->nrows > 0)
        *store = atoi(sql_cell(r, 0, 0));
    sql_result_free(r);
    sql_conn_put(st, c, borrowed);
    return PC_OK;
}
