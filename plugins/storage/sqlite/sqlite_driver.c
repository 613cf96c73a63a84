/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite sql_driver: one sqlite3 handle per pooled connection, statements prepared once. */
#include "sqlite_driver.h"
#include "sqlite_checkpoint.h"
#include "sqlite_schema.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_BUCKETS 128

typedef struct cached_stmt {
    char *sql;
    sqlite3_stmt *stmt;
    struct cached_stmt *next;
} cached_stmt;

struct sql_conn {
    sqlite3 *db;
    cached_stmt *buckets[STMT_BUCKETS];
    int holds_writer; /* this connection's transaction holds the writer lock */
    sqlite_checkpointer *checkpointer;
};

/*
 * One writer at a time in this process. SQLite allows one writer per file
 * anyway; a thread waiting on this mutex wakes the moment the writer is
 * done, where SQLite's busy handler would sleep with growing back-off while
 * the CPU idles. Other processes on the same file still meet SQLite's own
 * lock and busy timeout.
 */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;
/* Writer-lock depth of this thread: a thread inside a write transaction on
 * one connection must not wait for itself from another. */
static __thread int writer_depth;

void sqlite_writer_enter(void)
{
    if (writer_depth++ == 0)
        pthread_mutex_lock(&writer);
}

void sqlite_writer_leave(void)
{
    if (--writer_depth == 0)
        pthread_mutex_unlock(&writer);
}

static const char *db_path(const char *uri)
{
    static const char prefix[] = "sqlite://";

    return strncmp(uri, prefix, sizeof prefix - 1) == 0 ? uri + sizeof prefix - 1 : uri;
}

static pc_status sqlite_connect(const char *uri, sql_conn **out, char *err, size_t errlen)
{
    sql_conn *c = calloc(1, sizeof *c);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

    if (c == NULL)
        return PC_ERR_INTERNAL;
    if (sqlite3_open_v2(db_path(uri), &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path(uri), sqlite3_errmsg(c->db));
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 5000);
    /* WAL lets readers run beside the writer; NORMAL sync is durable across
     * process crashes in WAL mode. */
    if (sqlite3_exec(c->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     " PRAGMA foreign_keys=ON;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path(uri), sqlite3_errmsg(c->db));
        goto fail;
    }
    if (strcmp(db_path(uri), ":memory:") != 0)
        c->checkpointer = sqlite_checkpointer_attach(c->db, db_path(uri));
    *out = c;
    return PC_OK;
fail:
    sqlite3_close(c->db);
    free(c);
    return PC_ERR_STORAGE;
}

static void sqlite_disconnect(sql_conn *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < STMT_BUCKETS; i++) {
        cached_stmt *s = c->buckets[i];
        while (s != NULL) {
            cached_stmt *next = s->next;
            sqlite3_finalize(s->stmt);
            free(s->sql);
            free(s);
            s = next;
        }
    }
    sqlite_checkpointer_detach(c->checkpointer);
    sqlite3_close(c->db);
    free(c);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static pc_status sqlite_exec(sql_conn *c, const char *sql)
{
    int begins = starts_with(sql, "BEGIN IMMEDIATE");
    int ends = starts_with(sql, "COMMIT") || starts_with(sql, "ROLLBACK");
    int rc;

    if (begins && !c->holds_writer) {
        sqlite_writer_enter();
        c->holds_writer = 1;
    }
    rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    /* The writer is released when the transaction ends, or if it never began. */
    if (c->holds_writer && (ends || (begins && rc != SQLITE_OK)) && sqlite3_get_autocommit(c->db)) {
        c->holds_writer = 0;
        sqlite_writer_leave();
    }
    return rc == SQLITE_OK ? PC_OK : PC_ERR_STORAGE;
}

static unsigned hash_sql(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % STMT_BUCKETS;
}

static sqlite3_stmt *prepared(sql_conn *c, const char *sql)
{
    unsigned h = hash_sql(sql);
    cached_stmt *s;

    for (s = c->buckets[h]; s != NULL; s = s->next)
        if (strcmp(s->sql, sql) == 0)
            return s->stmt;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt, NULL) !=
            SQLITE_OK ||
        (s->sql = strdup(sql)) == NULL) {
        sqlite3_finalize(s->stmt);
        free(s);
        return NULL;
    }
    s->next = c->buckets[h];
    c->buckets[h] = s;
    return s->stmt;
}

static int bind_all(sqlite3_stmt *st, const sql_param *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int col = (int)i + 1, rc;
        if (p[i].type == SQL_TEXT)
            rc = sqlite3_bind_text(st, col, p[i].s, -1, SQLITE_TRANSIENT);
        else if (p[i].type == SQL_INT)
            rc = sqlite3_bind_int64(st, col, p[i].i);
        else
            rc = sqlite3_bind_null(st, col);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static int append_row(sqlite3_stmt *st, sql_result *r)
{
    size_t base = r->nrows * r->ncols;
    char **cells = realloc(r->cells, (base + r->ncols) * sizeof *cells);

    if (cells == NULL)
        return SQLITE_NOMEM;
    r->cells = cells;
    for (size_t i = 0; i < r->ncols; i++) {
        const unsigned char *v = sqlite3_column_text(st, (int)i);
        cells[base + i] = v ? strdup((const char *)v) : NULL;
    }
    r->nrows++;
    return SQLITE_OK;
}

static int step_all(sql_conn *c, sqlite3_stmt *st, sql_result *r)
{
    int rc;

    r->ncols = (size_t)sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (append_row(st, r) != SQLITE_OK)
            return SQLITE_NOMEM;
    r->changes = sqlite3_changes(c->db);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static pc_status sqlite_query(sql_conn *c, const char *sql, const sql_param *params, size_t nparams,
                              sql_result **out)
{
    sqlite3_stmt *st = prepared(c, sql);
    sql_result *r;
    int rc;

    if (st == NULL)
        return PC_ERR_STORAGE;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return PC_ERR_INTERNAL;
    /* A write outside a transaction takes the writer lock for its one statement. */
    int lone_write = !c->holds_writer && !sqlite3_stmt_readonly(st);
    rc = bind_all(st, params, nparams);
    if (lone_write)
        sqlite_writer_enter();
    if (rc == SQLITE_OK)
        rc = step_all(c, st, r);
    if (lone_write)
        sqlite_writer_leave();
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_OK || out == NULL) {
        sql_result_free(r);
        return rc == SQLITE_OK ? PC_OK : PC_ERR_STORAGE;
    }
    *out = r;
    return PC_OK;
}

/* "UNIQUE constraint failed: users.tenant_id, users.username" -> "username";
 * "UNIQUE constraint failed: index 'users_lower_email'" -> "email". */
static void unique_column(const char *msg, char *column, size_t len)
{
    const char *last = strrchr(msg, '.'), *index = strstr(msg, "index '"), *under;

    if (index != NULL && (under = strrchr(index, '_')) != NULL) {
        snprintf(column, len, "%.*s", (int)strcspn(under + 1, "'"), under + 1);
        return;
    }
    snprintf(column, len, "%s", last ? last + 1 : "");
}

static sql_error sqlite_last_error(sql_conn *c, char *column, size_t column_len)
{
    int code = sqlite3_extended_errcode(c->db);

    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        unique_column(sqlite3_errmsg(c->db), column, column_len);
        return SQL_ERR_UNIQUE;
    }
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return SQL_ERR_BUSY;
    return SQL_ERR_OTHER;
}

static const char *sqlite_last_message(sql_conn *c)
{
    return sqlite3_errmsg(c->db);
}

const sql_driver pc_sqlite_driver = {
    .name = "sqlite",
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .exec = sqlite_exec,
    .query = sqlite_query,
    .last_error = sqlite_last_error,
    .last_message = sqlite_last_message,
    /* IMMEDIATE takes the write lock up front, so two writers queue on the
     * busy timeout instead of failing on a lock upgrade. */
    .begin_sql = "BEGIN IMMEDIATE",
    .migrate_lock_sql = NULL,
    .migrations = pc_sqlite_migrations,
    .migration_count = PC_SQLITE_MIGRATION_COUNT,
    .ilike = "LIKE",
    /* BEGIN IMMEDIATE serialises claimers already. */
    .claim_suffix = "",
    /* FTS5 trigram index of schema 18 */
    .user_search_index = "users_trigrams",
};
