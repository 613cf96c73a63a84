/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL sql_driver over libpq: `?` rewritten to `$n`, statements prepared once per connection. */
#include "pg_driver.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libpq-fe.h>

#include "pg_schema.h"

/* Statements beyond this many per connection run unnamed (PQexecParams) rather than cached. */
#define MAX_CACHED 1024
#define INT_TEXT 24 /* room for an int64_t in decimal */

typedef struct stmt {
    char *sql; /* the statement as the caller wrote it (`?` placeholders) */
    char name[16];
    uint64_t hash;
} stmt;

struct sql_conn {
    PGconn *pg;
    stmt *stmts; /* open-addressing table keyed by the SQL text */
    size_t cap;  /* a power of two, or 0 */
    size_t count;
    unsigned next_id;
    sql_error err;
    char column[64];
    char message[512];
    int listening; /* LISTEN portcullis_changes issued on this connection */
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void cache_clear(sql_conn *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->stmts[i].sql);
    free(c->stmts);
    c->stmts = NULL;
    c->cap = 0;
    c->count = 0;
    c->next_id = 0;
}

/* The slot holding `sql`, or the empty slot where it belongs. */
static stmt *cache_slot(stmt *tab, size_t cap, const char *sql, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);

    while (tab[i].sql != NULL && (tab[i].hash != h || strcmp(tab[i].sql, sql) != 0))
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static int cache_grow(sql_conn *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    stmt *tab = calloc(cap, sizeof *tab);

    if (tab == NULL)
        return -1;
    for (size_t i = 0; i < c->cap; i++)
        if (c->stmts[i].sql != NULL)
            *cache_slot(tab, cap, c->stmts[i].sql, c->stmts[i].hash) = c->stmts[i];
    free(c->stmts);
    c->stmts = tab;
    c->cap = cap;
    return 0;
}

static void set_error(sql_conn *c, sql_error err, const char *msg)
{
    size_t n;

    c->err = err;
    snprintf(c->message, sizeof c->message, "%s", msg != NULL ? msg : "unknown error");
    n = strlen(c->message);
    while (n > 0 && (c->message[n - 1] == '\n' || c->message[n - 1] == ' '))
        c->message[--n] = '\0';
}

/* "Key (tenant_id, username)=(...)" names the key; report its last column that is not tenant_id. */
static int column_from_detail(const char *detail, char *out, size_t outlen)
{
    const char *start, *end, *p, *best = NULL;
    size_t best_len = 0;

    if (detail == NULL || (start = strstr(detail, "Key (")) == NULL)
        return -1;
    start += 5;
    if ((end = strstr(start, ")=(")) == NULL)
        return -1;
    for (p = start; p < end;) {
        const char *sep = memchr(p, ',', (size_t)(end - p));
        const char *stop = sep != NULL ? sep : end;
        size_t len = (size_t)(stop - p);

        if (len > 0 && (len != 9 || memcmp(p, "tenant_id", 9) != 0)) {
            best = p;
            best_len = len;
        }
        p = sep != NULL ? sep + 1 : end;
        while (p < end && *p == ' ')
            p++;
    }
    if (best == NULL)
        return -1;
    snprintf(out, outlen, "%.*s", (int)best_len, best);
    return 0;
}

/* An expression key "lower(email)" (or "lower((email)::text)") names the column "email". */
static void strip_lower(char *column, size_t len)
{
    char inner[64];
    const char *p = column + 6;

    if (strncmp(column, "lower(", 6) != 0)
        return;
    p += strspn(p, "(");
    snprintf(inner, sizeof inner, "%.*s", (int)strcspn(p, "):"), p);
    snprintf(column, len, "%s", inner);
}

/* Fallback for a localised detail: default names are <table>_<columns>_key or <table>_pkey. */
static void column_from_constraint(const char *name, char *out, size_t outlen)
{
    const char *p;
    size_t len;

    out[0] = '\0';
    if (name == NULL)
        return;
    len = strlen(name);
    if (len > 5 && strcmp(name + len - 5, "_pkey") == 0) {
        snprintf(out, outlen, "id");
        return;
    }
    if (len > 4 && strcmp(name + len - 4, "_key") == 0)
        len -= 4;
    /* Skip the table (and a leading tenant_id); good for every unique key in pg_schema.c
     * but mfa_factors', which has no tenant_id and an underscore in its table name. */
    p = strstr(name, "_tenant_id_");
    if (p != NULL && p + 11 < name + len)
        p += 11;
    else if ((p = memchr(name, '_', len)) != NULL)
        p++;
    else
        p = name;
    snprintf(out, outlen, "%.*s", (int)(len - (size_t)(p - name)), p);
}

/* Classify a failed result by SQLSTATE and keep its message. */
static void record_failure(sql_conn *c, const PGresult *res)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    sql_error err = SQL_ERR_OTHER;
    char msg[sizeof c->message];

    /* The primary message only: DETAIL would put key values in the log. */
    if (primary != NULL && state != NULL)
        snprintf(msg, sizeof msg, "%s (SQLSTATE %s)", primary, state);
    else
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->pg));
    c->column[0] = '\0';
    if (state != NULL && strcmp(state, "23505") == 0) {
        err = SQL_ERR_UNIQUE;
        if (column_from_detail(PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL), c->column,
                               sizeof c->column) != 0)
            column_from_constraint(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME), c->column,
                                   sizeof c->column);
        strip_lower(c->column, sizeof c->column);
    } else if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                                 strcmp(state, "55P03") == 0)) {
        err = SQL_ERR_BUSY;
    }
    set_error(c, err, msg);
}

/* Run a parameterless statement on a connection known to be up. */
static pc_status run_simple(sql_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    pc_status rc = PC_OK;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        record_failure(c, res);
        rc = PC_ERR_STORAGE;
    }
    PQclear(res);
    return rc;
}

/* Every call starts here: forget the last error and revive a broken connection. */
static pc_status ready(sql_conn *c)
{
    c->err = SQL_ERR_NONE;
    c->column[0] = '\0';
    c->message[0] = '\0';
    if (PQstatus(c->pg) == CONNECTION_OK)
        return PC_OK;
    /* The server forgot our prepared statements and our LISTEN along with the session;
     * a multi-host URI with target_session_attrs=read-write reaches whichever host is
     * the primary now (failover). */
    cache_clear(c);
    c->listening = 0;
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        set_error(c, SQL_ERR_OTHER, PQerrorMessage(c->pg));
        return PC_ERR_STORAGE;
    }
    return run_simple(c, "SET client_min_messages = warning");
}

static void pg_disconnect(sql_conn *c)
{
    if (c == NULL)
        return;
    cache_clear(c);
    PQfinish(c->pg);
    free(c);
}

static pc_status pg_connect(const char *uri, sql_conn **out, char *err, size_t errlen)
{
    sql_conn *c = calloc(1, sizeof *c);
    pc_status rc = PC_ERR_STORAGE;

    *out = NULL;
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return PC_ERR_INTERNAL;
    }
    c->pg = PQconnectdb(uri);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        set_error(c, SQL_ERR_OTHER, c->pg != NULL ? PQerrorMessage(c->pg) : "out of memory");
        goto out;
    }
    rc = run_simple(c, "SET client_min_messages = warning");
out:
    if (rc != PC_OK) {
        snprintf(err, errlen, "%s", c->message);
        pg_disconnect(c);
        return rc;
    }
    *out = c;
    return PC_OK;
}

/* COMMIT of a transaction an earlier error aborted succeeds with the tag ROLLBACK: say so. */
static pc_status commit(sql_conn *c)
{
    PGresult *res = PQexec(c->pg, "COMMIT");
    pc_status rc = PC_OK;

    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        record_failure(c, res);
        rc = PC_ERR_STORAGE;
    } else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        set_error(c, SQL_ERR_OTHER,
                  "the transaction was aborted by an earlier error and rolled back");
        rc = PC_ERR_STORAGE;
    }
    PQclear(res);
    return rc;
}

static pc_status pg_exec(sql_conn *c, const char *sql)
{
    pc_status rc = ready(c);

    if (rc != PC_OK)
        return rc;
    if (strcasecmp(sql, "COMMIT") == 0)
        return commit(c);
    /* Nothing to roll back (a failed COMMIT already ended it): skip the server's warning. */
    if (strcasecmp(sql, "ROLLBACK") == 0 && PQtransactionStatus(c->pg) == PQTRANS_IDLE)
        return PC_OK;
    return run_simple(c, sql);
}

/* Copy `sql` with each `?` outside quotes replaced by $1, $2, ...; new, caller frees. */
static char *rewrite_placeholders(const char *sql)
{
    size_t n = 0;
    char quote = 0, *out, *w;
    unsigned next = 1;

    for (const char *p = sql; *p != '\0'; p++)
        n += *p == '?' ? 11 : 1;
    if ((out = malloc(n + 1)) == NULL)
        return NULL;
    for (w = out; *sql != '\0'; sql++) {
        if (quote != 0) {
            quote = *sql == quote ? 0 : quote; /* '' re-enters at once: an escaped quote */
            *w++ = *sql;
        } else if (*sql == '\'' || *sql == '"') {
            quote = *sql;
            *w++ = *sql;
        } else if (*sql == '?') {
            w += sprintf(w, "$%u", next++);
        } else {
            *w++ = *sql;
        }
    }
    *w = '\0';
    return out;
}

/* The cached statement's name for `sql`, prepared on first use; *name NULL when the cache is full. */
static pc_status prepared(sql_conn *c, const char *sql, const char **name)
{
    uint64_t h = hash_text(sql);
    stmt *s = c->cap ? cache_slot(c->stmts, c->cap, sql, h) : NULL;
    char *text = NULL;
    PGresult *res = NULL;
    pc_status rc = PC_OK;

    *name = NULL;
    if (s != NULL && s->sql != NULL) {
        *name = s->name;
        return PC_OK;
    }
    if (c->count >= MAX_CACHED)
        return PC_OK;
    if ((c->count + 1) * 2 > c->cap) {
        if (cache_grow(c) != 0)
            goto nomem;
        s = cache_slot(c->stmts, c->cap, sql, h);
    }
    if ((text = rewrite_placeholders(sql)) == NULL || (s->sql = strdup(sql)) == NULL)
        goto nomem;
    snprintf(s->name, sizeof s->name, "s%u", ++c->next_id);
    res = PQprepare(c->pg, s->name, text, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        record_failure(c, res);
        free(s->sql);
        s->sql = NULL;
        rc = PC_ERR_STORAGE;
        goto out;
    }
    s->hash = h;
    c->count++;
    *name = s->name;
    goto out;
nomem:
    set_error(c, SQL_ERR_OTHER, "out of memory");
    rc = PC_ERR_INTERNAL;
out:
    PQclear(res);
    free(text);
    return rc;
}

/* Move the rows of `res` into a new sql_result. */
static sql_result *materialise(PGresult *res)
{
    sql_result *r = calloc(1, sizeof *r);
    const char *changes = PQcmdTuples(res);
    size_t n;

    if (r == NULL)
        return NULL;
    r->nrows = (size_t)PQntuples(res);
    r->ncols = (size_t)PQnfields(res);
    r->changes = changes != NULL && *changes != '\0' ? strtoll(changes, NULL, 10) : 0;
    n = r->nrows * r->ncols;
    if ((r->cells = calloc(n ? n : 1, sizeof *r->cells)) == NULL) {
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int row = (int)(i / r->ncols), col = (int)(i % r->ncols);

        if (PQgetisnull(res, row, col))
            continue;
        if ((r->cells[i] = strdup(PQgetvalue(res, row, col))) == NULL) {
            sql_result_free(r);
            return NULL;
        }
    }
    return r;
}

/* Parameters as libpq text values; integers are written into `ints`. */
static void text_params(const sql_param *params, size_t n, const char **values,
                        char (*ints)[INT_TEXT])
{
    for (size_t i = 0; i < n; i++) {
        if (params[i].type == SQL_INT) {
            snprintf(ints[i], INT_TEXT, "%" PRId64, params[i].i);
            values[i] = ints[i];
        } else {
            values[i] = params[i].type == SQL_TEXT ? params[i].s : NULL;
        }
    }
}

/* Run `sql` as the named prepared statement, or unnamed when it could not be cached. */
static PGresult *run(sql_conn *c, const char *name, const char *sql, const char *const *values,
                     int n)
{
    char *text;
    PGresult *res;

    if (name != NULL)
        return PQexecPrepared(c->pg, name, n, values, NULL, NULL, 0);
    if ((text = rewrite_placeholders(sql)) == NULL)
        return NULL;
    res = PQexecParams(c->pg, text, n, NULL, values, NULL, NULL, 0);
    free(text);
    return res;
}

static pc_status pg_query(sql_conn *c, const char *sql, const sql_param *params, size_t nparams,
                          sql_result **out)
{
    const char **values = NULL;
    char(*ints)[INT_TEXT] = NULL;
    const char *name;
    PGresult *res = NULL;
    ExecStatusType st;
    pc_status rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = ready(c)) != PC_OK || (rc = prepared(c, sql, &name)) != PC_OK)
        return rc;
    values = calloc(nparams ? nparams : 1, sizeof *values);
    ints = calloc(nparams ? nparams : 1, sizeof *ints);
    rc = PC_ERR_INTERNAL;
    if (values == NULL || ints == NULL) {
        set_error(c, SQL_ERR_OTHER, "out of memory");
        goto out;
    }
    text_params(params, nparams, values, ints);
    res = run(c, name, sql, values, (int)nparams);
    st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        record_failure(c, res);
        rc = PC_ERR_STORAGE;
        goto out;
    }
    rc = PC_OK;
    if (out != NULL && (*out = materialise(res)) == NULL) {
        set_error(c, SQL_ERR_OTHER, "out of memory");
        rc = PC_ERR_INTERNAL;
    }
out:
    PQclear(res);
    free(values);
    free(ints);
    return rc;
}

/* Drain what the server sent; 1 if a notification was among it. */
static int drain_notifications(sql_conn *c)
{
    PGnotify *n;
    int woken = 0;

    if (!PQconsumeInput(c->pg))
        return -1;
    while ((n = PQnotifies(c->pg)) != NULL) {
        woken = 1;
        PQfreemem(n);
    }
    return woken;
}

static int pg_wait_notify(sql_conn *c, int timeout_ms)
{
    struct pollfd pfd;
    int woken;

    /* LISTEN once per connection: a reset connection listens again. */
    if (!c->listening) {
        if (ready(c) != PC_OK || run_simple(c, "LISTEN portcullis_changes") != PC_OK)
            return -1;
        c->listening = 1;
    }
    woken = drain_notifications(c);
    if (woken != 0)
        return woken;
    pfd.fd = PQsocket(c->pg);
    pfd.events = POLLIN;
    if (pfd.fd < 0 || poll(&pfd, 1, timeout_ms) < 0) {
        c->listening = 0;
        return -1;
    }
    woken = drain_notifications(c);
    if (woken < 0)
        c->listening = 0;
    return woken;
}

static sql_error pg_last_error(sql_conn *c, char *column, size_t column_len)
{
    if (column != NULL && column_len > 0)
        snprintf(column, column_len, "%s", c->err == SQL_ERR_UNIQUE ? c->column : "");
    return c->err;
}

static const char *pg_last_message(sql_conn *c)
{
    return c->message;
}

const sql_driver pc_pg_driver = {
    .name = "postgresql",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec = pg_exec,
    .query = pg_query,
    .last_error = pg_last_error,
    .last_message = pg_last_message,
    .begin_sql = "BEGIN",
    /* Concurrent migrators queue on one transaction-scoped advisory lock. */
    .migrate_lock_sql = "SELECT pg_advisory_xact_lock(7262)",
    .migrations = pc_pg_migrations,
    .migration_count = PC_PG_MIGRATION_COUNT,
    .ilike = "ILIKE",
    /* Feed entries commit in sequence order (see sql_driver.h). */
    .change_lock_sql = "SELECT pg_advisory_xact_lock(7263)",
    /* NOTIFY is delivered at commit, so a woken node finds the entry committed. */
    .change_notify_sql = "SELECT pg_notify('portcullis_changes', '')",
    .wait_notify = pg_wait_notify,
    /* Nodes claiming webhook messages pass over each other's locked rows. */
    .claim_suffix = " FOR UPDATE OF m SKIP LOCKED",
    /* The expression of the index users_search (schema 15); chr(31) never ends a term. */
    .search_joiner = " || chr(31) || ",
};
