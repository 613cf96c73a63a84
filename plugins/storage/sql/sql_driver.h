/* SPDX-License-Identifier: Apache-2.0 */
/* The small database-driver interface under the shared SQL store (sql_store.c). */
#ifndef PC_SQL_DRIVER_H
#define PC_SQL_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <portcullis/status.h>

typedef struct sql_conn sql_conn;

typedef enum sql_type { SQL_NULL = 0, SQL_TEXT, SQL_INT } sql_type;

/** A bound parameter; `s` is borrowed for the call. */
typedef struct sql_param {
    sql_type type;
    const char *s;
    int64_t i;
} sql_param;

/**
 * A materialised result: nrows x ncols cells, each a NUL-terminated string or
 * NULL for SQL NULL. Integers come back as decimal text.
 */
typedef struct sql_result {
    size_t nrows;
    size_t ncols;
    char **cells;    /**< row-major, nrows * ncols */
    int64_t changes; /**< rows changed by an INSERT/UPDATE/DELETE */
} sql_result;

/** Errors a driver tells apart (its native code mapped here). */
typedef enum sql_error {
    SQL_ERR_NONE = 0,
    SQL_ERR_UNIQUE, /**< unique violation; the column in the driver's conflict buffer */
    SQL_ERR_BUSY,   /**< lock or serialisation failure; may be retried */
    SQL_ERR_OTHER
} sql_error;

/**
 * One backend. Statements use `?` placeholders (a driver that needs `$n`
 * rewrites them) and are prepared once per connection and cached by text.
 */
typedef struct sql_driver {
    const char *name;
    /** Open one connection to `uri` (the backend's own form). */
    pc_status (*connect)(const char *uri, sql_conn **out, char *err, size_t errlen);
    void (*disconnect)(sql_conn *c);
    /** Run one or more statements without parameters (migrations, BEGIN, COMMIT). */
    pc_status (*exec)(sql_conn *c, const char *sql);
    /** Run one statement with parameters; *out (may be NULL) receives the rows. */
    pc_status (*query)(sql_conn *c, const char *sql, const sql_param *params, size_t nparams,
                       sql_result **out);
    /** Error class of the last failure, with the column for SQL_ERR_UNIQUE if known. */
    sql_error (*last_error)(sql_conn *c, char *column, size_t column_len);
    /** The last error message, for the log. */
    const char *(*last_message)(sql_conn *c);
    /** Statement that begins a write transaction ("BEGIN IMMEDIATE", "BEGIN"). */
    const char *begin_sql;
    /**
     * Statement run inside the migration transaction before reading the
     * schema version, to serialise concurrent migrators (or NULL).
     */
    const char *migrate_lock_sql;
    /** Versioned migrations: migrations[i] brings the schema from version i to i+1. */
    const char *const *migrations;
    int migration_count;
    /** Spelling of a case-insensitive LIKE ("LIKE" on SQLite, "ILIKE" on PostgreSQL). */
    const char *ilike;
    /**
     * Statement run in a transaction before appending to the change feed, so
     * that feed entries commit in sequence order (or NULL where writers are
     * serialised anyway, as in SQLite). Without it a reader following
     * `seq > last` could pass an entry whose transaction commits late.
     */
    const char *change_lock_sql;
    /**
     * Statement run after appending to the change feed, in the same
     * transaction, to wake other nodes at commit (or NULL).
     */
    const char *change_notify_sql;
    /**
     * Wait on a connection of its own until another node announces a feed
     * entry or `timeout_ms` passes: 1 woken, 0 timed out, -1 failed (or NULL
     * where the backend cannot tell, and nodes poll).
     */
    int (*wait_notify)(sql_conn *c, int timeout_ms);
    /**
     * Suffix of the subquery that picks a webhook message to claim (alias m),
     * so that concurrent claimers skip each other's rows instead of waiting
     * (" FOR UPDATE OF m SKIP LOCKED"), or "" where writers are serialised.
     */
    const char *claim_suffix;
    /* ---- search by one expression (issue 20) ---- */
    /**
     * Where set, a search ("q") matches one expression joining the searchable
     * columns, coalesce(c1, '') || search_joiner || coalesce(c2, '') ..., in
     * the entity's column order, so that one index on that expression serves
     * it (PostgreSQL: a trigram GIN index on users); NULL: one LIKE per column.
     */
    const char *search_joiner;
    /* ---- end of search by one expression ---- */
    /* ---- search by a trigram index of its own (issue 20, schema 16) ---- */
    /**
     * Where set, the name of an FTS5 table (trigram tokenizer) over the users' searchable
     * columns whose rowids are the users' (SQLite: users_trigrams). A user search of 3 or more
     * characters then reads its candidates there (sql_search.h) instead of every user of the
     * tenant; NULL: no such index.
     */
    const char *user_search_index;
    /* ---- end of search by a trigram index ---- */
} sql_driver;

void sql_result_free(sql_result *r);
const char *sql_cell(const sql_result *r, size_t row, size_t col);

#endif
