/* SPDX-License-Identifier: Apache-2.0 */
/* Generic record operations (insert, get, list, update, remove) over the entity tables. */
#include "sql_internal.h"
#include "fold.h"
#include "sql_search.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 160 /* a filter may be any of 128 values (storage.h) */
#define ANY_OF_MAX 128
#define SQL_MAX 2048

/* Bound values that need storage for the call (serialised JSON). */
typedef struct binder {
    sql_param p[MAX_PARAMS];
    char *owned[MAX_PARAMS];
    size_t n;
} binder;

static void binder_free(binder *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->owned[i]);
}

static pc_status bind_text(binder *b, const char *s)
{
    if (b->n >= MAX_PARAMS)
        return PC_ERR_INVALID;
    b->owned[b->n] = NULL;
    b->p[b->n++] = sql_text(s);
    return PC_OK;
}

static pc_status bind_int(binder *b, int64_t i)
{
    if (b->n >= MAX_PARAMS)
        return PC_ERR_INVALID;
    b->owned[b->n] = NULL;
    b->p[b->n++] = sql_int(i);
    return PC_OK;
}

/* Bind a JSON value as the column's type; a mismatch is PC_ERR_INVALID. */
static pc_status bind_value(binder *b, const sql_column *col, const json_t *v)
{
    char *s;

    if (v == NULL || json_is_null(v))
        return bind_text(b, NULL);
    switch (col->type) {
    case COL_TEXT: return json_is_string(v) ? bind_text(b, json_string_value(v)) : PC_ERR_INVALID;
    case COL_INT: return json_is_integer(v) ? bind_int(b, json_integer_value(v)) : PC_ERR_INVALID;
    case COL_BOOL: return json_is_boolean(v) ? bind_int(b, json_is_true(v)) : PC_ERR_INVALID;
    case COL_JSON:
        s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (s == NULL || bind_text(b, s) != PC_OK) {
            free(s);
            return PC_ERR_INVALID;
        }
        b->owned[b->n - 1] = s;
        return PC_OK;
    }
    return PC_ERR_INVALID;
}

/* Bind the fold of a text value (core/util/fold.c), or NULL. */
static pc_status bind_fold(binder *b, const json_t *v)
{
    char *f;

    if (v == NULL || json_is_null(v))
        return bind_text(b, NULL);
    if (!json_is_string(v))
        return PC_ERR_INVALID;
    if ((f = pc_fold_key(json_string_value(v))) == NULL || bind_text(b, f) != PC_OK) {
        free(f);
        return PC_ERR_INTERNAL;
    }
    b->owned[b->n - 1] = f;
    return PC_OK;
}

/* " AND <col> = ?" with the value bound; folded columns compare their folds. */
static pc_status add_equal(const sql_column *col, const json_t *v, char *sql, size_t *len,
                           binder *b);

static json_t *cell_to_json(const sql_column *col, const char *cell)
{
    json_t *v;

    if (cell == NULL)
        return json_null();
    switch (col->type) {
    case COL_INT: return json_integer(strtoll(cell, NULL, 10));
    case COL_BOOL: return json_boolean(strtol(cell, NULL, 10) != 0);
    case COL_JSON: v = json_loads(cell, JSON_DECODE_ANY, NULL); return v ? v : json_null();
    case COL_TEXT:
    default: return json_string(cell);
    }
}

json_t *sql_row_to_json(const sql_entity_spec *spec, const sql_result *r, size_t row)
{
    json_t *o = json_object();

    for (size_t i = 0; i < spec->ncols && i < r->ncols; i++)
        json_object_set_new(o, spec->cols[i].name,
                            cell_to_json(&spec->cols[i], sql_cell(r, row, i)));
    return o;
}

/* Append to a bounded SQL buffer; the texts are ours, so overflow is a bug. */
static pc_status sql_cat(char *buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static pc_status sql_cat(char *buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf + *len, SQL_MAX - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= SQL_MAX - *len)
        return PC_ERR_INTERNAL;
    *len += (size_t)n;
    return PC_OK;
}

/* Columns absent from the record take the table's default (NULL, or what a later
 * schema gave them, such as a user's status "active"). */
pc_status sql_store_insert(void *state, pc_store_tx *tx, pc_entity ent, const json_t *rec,
                           char *conflict, size_t conflict_len)
{
    const sql_entity_spec *spec = sql_entity(ent);
    char sql[SQL_MAX], values[SQL_MAX / 4];
    size_t len = 0, vlen = 0;
    binder b = {.n = 0};
    pc_status rc;
    int first = 1;

    if (spec == NULL || !json_is_object(rec))
        return PC_ERR_INVALID;
    rc = sql_cat(sql, &len, "INSERT INTO %s (", spec->table);
    values[0] = '\0';
    for (size_t i = 0; rc == PC_OK && i < spec->ncols; i++) {
        const json_t *v = json_object_get(rec, spec->cols[i].name);
        if (v == NULL)
            continue;
        rc = sql_cat(sql, &len, "%s%s", first ? "" : ", ", spec->cols[i].name);
        if (rc == PC_OK && vlen + 3 < sizeof values)
            vlen += (size_t)snprintf(values + vlen, sizeof values - vlen, first ? "?" : ", ?");
        first = 0;
        if (rc == PC_OK)
            rc = bind_value(&b, &spec->cols[i], v);
    }
    for (size_t i = 0; rc == PC_OK && !first && i < spec->ncols; i++) {
        const json_t *v = json_object_get(rec, spec->cols[i].name);
        if (v == NULL || !(spec->cols[i].flags & COL_FOLDED))
            continue;
        rc = sql_cat(sql, &len, ", %s_fold", spec->cols[i].name);
        if (rc == PC_OK && vlen + 3 < sizeof values)
            vlen += (size_t)snprintf(values + vlen, sizeof values - vlen, ", ?");
        if (rc == PC_OK)
            rc = bind_fold(&b, v);
    }
    if (rc == PC_OK)
        rc = first ? PC_ERR_INVALID : sql_cat(sql, &len, ") VALUES (%s)", values);
    if (rc == PC_OK)
        rc = sql_run_once(state, tx, sql, b.p, b.n, NULL, conflict, conflict_len);
    binder_free(&b);
    return rc;
}

/* " WHERE tenant_id = ?" for tenant-scoped entities, " WHERE 1 = 1" otherwise. */
static pc_status where_tenant(const sql_entity_spec *spec, const char *tenant_id, char *sql,
                              size_t *len, binder *b)
{
    if (!spec->tenant_scoped)
        return sql_cat(sql, len, " WHERE 1 = 1");
    if (tenant_id == NULL)
        return PC_ERR_INVALID;
    bind_text(b, tenant_id);
    return sql_cat(sql, len, " WHERE tenant_id = ?");
}

pc_status sql_store_get(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                        const char *field, const char *value, json_t **out)
{
    const sql_entity_spec *spec = sql_entity(ent);
    const sql_column *col = spec ? sql_entity_column(spec, field) : NULL;
    char sql[SQL_MAX];
    size_t len = 0;
    binder b = {.n = 0};
    sql_result *r = NULL;
    pc_status rc;

    if (col == NULL || !(col->flags & COL_LOOKUP) || value == NULL)
        return PC_ERR_INVALID;
    rc = sql_cat(sql, &len, "SELECT %s FROM %s", sql_entity_select_list(ent), spec->table);
    if (rc == PC_OK)
        rc = where_tenant(spec, tenant_id, sql, &len, &b);
    if (rc == PC_OK && (col->flags & COL_FOLDED)) {
        json_t *v = json_string(value);
        rc = sql_cat(sql, &len, " AND %s_fold = ?", col->name);
        if (rc == PC_OK)
            rc = v != NULL ? bind_fold(&b, v) : PC_ERR_INVALID;
        json_decref(v);
    } else if (rc == PC_OK) {
        rc = sql_cat(sql, &len,
                     (col->flags & COL_NOCASE) ? " AND lower(%s) = lower(?)" : " AND %s = ?",
                     col->name);
        bind_text(&b, value);
    }
    if (rc == PC_OK)
        rc = sql_run_once(state, tx, sql, b.p, b.n, &r, NULL, 0);
    if (rc == PC_OK && r->nrows == 0)
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        *out = sql_row_to_json(spec, r, 0);
    sql_result_free(r);
    binder_free(&b);
    return rc;
}

/* "%term%" with LIKE's wildcards escaped by backslash. New string. */
static char *like_pattern(const char *term)
{
    size_t n = strlen(term);
    char *p = malloc(2 * n + 3), *w = p;

    if (p == NULL)
        return NULL;
    *w++ = '%';
    for (const char *s = term; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *w++ = '\\';
        *w++ = *s;
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

/* coalesce(c1, '') || joiner || coalesce(c2, '') ... over the searchable columns. */
static pc_status add_joined_search(sql_store *st, const sql_entity_spec *spec, char *sql,
                                   size_t *len, binder *b, char *pattern)
{
    int first = 1;
    pc_status rc = sql_cat(sql, len, " AND (");

    for (size_t i = 0; rc == PC_OK && i < spec->ncols; i++) {
        if (!(spec->cols[i].flags & COL_SEARCH))
            continue;
        rc = sql_cat(sql, len, "%scoalesce(%s, '')", first ? "" : st->drv->search_joiner,
                     spec->cols[i].name);
        first = 0;
    }
    if (rc == PC_OK && first)
        rc = PC_ERR_INVALID; /* entity has nothing to search */
    if (rc == PC_OK)
        rc = sql_cat(sql, len, ") %s ? ESCAPE '\\'", st->drv->ilike);
    if (rc == PC_OK)
        rc = bind_text(b, pattern);
    if (rc == PC_OK)
        b->owned[b->n - 1] = pattern;
    else
        free(pattern);
    return rc;
}

static pc_status add_search(sql_store *st, const sql_entity_spec *spec, const char *term, char *sql,
                            size_t *len, binder *b)
{
    char *pattern = like_pattern(term);
    size_t last_plain = (size_t)-1;
    int first = 1;
    pc_status rc;

    if (pattern != NULL && st->drv->search_joiner != NULL)
        return add_joined_search(st, spec, sql, len, b, pattern);
    rc = pattern ? sql_cat(sql, len, " AND (") : PC_ERR_INTERNAL;
    for (size_t i = 0; rc == PC_OK && i < spec->ncols; i++) {
        if (!(spec->cols[i].flags & COL_SEARCH))
            continue;
        /* folded columns match the folded term alike on every store */
        if (spec->cols[i].flags & COL_FOLDED)
            rc = sql_cat(sql, len, "%s%s_fold LIKE ? ESCAPE '\\'", first ? "" : " OR ",
                         spec->cols[i].name);
        else
            rc = sql_cat(sql, len, "%s%s %s ? ESCAPE '\\'", first ? "" : " OR ", spec->cols[i].name,
                         st->drv->ilike);
        first = 0;
        if (rc == PC_OK && (spec->cols[i].flags & COL_FOLDED)) {
            json_t *p = json_string(pattern);
            rc = p ? bind_fold(b, p) : PC_ERR_INTERNAL;
            json_decref(p);
        } else if (rc == PC_OK) {
            rc = bind_text(b, pattern);
            b->owned[b->n - 1] = NULL;
            last_plain = b->n - 1;
        }
    }
    if (rc == PC_OK && first)
        rc = PC_ERR_INVALID; /* entity has nothing to search */
    if (rc == PC_OK)
        rc = sql_cat(sql, len, ")");
    /* The pattern is bound once per plain column but owned once. */
    if (rc == PC_OK && last_plain != (size_t)-1)
        b->owned[last_plain] = pattern;
    else
        free(pattern);
    return rc;
}

/* "time>=" filters an integer column from a lower bound. */
static int is_lower_bound(const char *key)
{
    size_t n = strlen(key);

    return n > 2 && strcmp(key + n - 2, ">=") == 0;
}

static pc_status add_lower_bound(const sql_entity_spec *spec, const char *key, const json_t *v,
                                 char *sql, size_t *len, binder *b)
{
    char name[64];
    const sql_column *col;
    size_t n = strlen(key) - 2;

    if (n >= sizeof name || !json_is_integer(v))
        return PC_ERR_INVALID;
    memcpy(name, key, n);
    name[n] = '\0';
    col = sql_entity_column(spec, name);
    if (col == NULL || col->type != COL_INT || !(col->flags & COL_FILTER))
        return PC_ERR_INVALID;
    if (sql_cat(sql, len, " AND %s >= ?", col->name) != PC_OK)
        return PC_ERR_INTERNAL;
    return bind_int(b, json_integer_value(v));
}

/* A special filter: its condition, with the value bound at each `?`. */
static pc_status add_special(const sql_special_filter *f, const json_t *v, char *sql, size_t *len,
                             binder *b)
{
    pc_status rc = sql_cat(sql, len, " AND %s", f->sql);

    for (const char *p = f->sql; rc == PC_OK && (p = strchr(p, '?')) != NULL; p++)
        rc = json_is_integer(v)  ? bind_int(b, json_integer_value(v))
             : json_is_string(v) ? bind_text(b, json_string_value(v))
                                 : PC_ERR_INVALID;
    return rc;
}

static pc_status add_equal(const sql_column *col, const json_t *v, char *sql, size_t *len,
                           binder *b)
{
    pc_status rc;

    if (col->flags & COL_FOLDED) {
        rc = sql_cat(sql, len, " AND %s_fold = ?", col->name);
        return rc == PC_OK ? bind_fold(b, v) : rc;
    }
    rc = sql_cat(sql, len, (col->flags & COL_NOCASE) ? " AND lower(%s) = lower(?)" : " AND %s = ?",
                 col->name);
    return rc == PC_OK ? bind_value(b, col, v) : rc;
}

/* " AND col IN (?, ...)": any of the array's values (schema 18; columns compared as stored). */
static pc_status add_any_of(const sql_column *col, const json_t *values, char *sql, size_t *len,
                            binder *b)
{
    size_t i, n = json_array_size(values);
    json_t *v;
    pc_status rc;

    if (n == 0 || n > ANY_OF_MAX || (col->flags & (COL_FOLDED | COL_NOCASE)))
        return PC_ERR_INVALID;
    rc = sql_cat(sql, len, " AND %s IN (", col->name);
    json_array_foreach ((json_t *)values, i, v) {
        if (rc == PC_OK)
            rc = json_is_null(v) ? PC_ERR_INVALID : sql_cat(sql, len, "%s?", i ? ", " : "");
        if (rc == PC_OK)
            rc = bind_value(b, col, v);
    }
    return rc == PC_OK ? sql_cat(sql, len, ")") : rc;
}

static pc_status add_filters(sql_store *st, pc_entity ent, const sql_entity_spec *spec,
                             const json_t *filters, char *sql, size_t *len, binder *b)
{
    const char *key;
    json_t *v;
    pc_status rc = PC_OK;

    json_object_foreach ((json_t *)filters, key, v) {
        const sql_column *col = sql_entity_column(spec, key);
        const sql_special_filter *special = sql_entity_special_filter(ent, key);
        if (col == NULL && special != NULL) {
            rc = add_special(special, v, sql, len, b);
        } else if (col == NULL && is_lower_bound(key)) {
            rc = add_lower_bound(spec, key, v, sql, len, b);
        } else if (strcmp(key, "q") == 0 && json_is_string(v)) {
            rc = add_search(st, spec, json_string_value(v), sql, len, b);
        } else if (col == NULL || !(col->flags & COL_FILTER)) {
            rc = PC_ERR_INVALID;
        } else if (json_is_null(v)) {
            rc = sql_cat(sql, len, " AND %s IS NULL", col->name);
        } else if (json_is_array(v)) {
            rc = add_any_of(col, v, sql, len, b);
        } else {
            rc = add_equal(col, v, sql, len, b);
        }
        if (rc != PC_OK)
            return rc;
    }
    return PC_OK;
}

/* How a list reads its table (issue 20): every row it may need, only the first rows in the
 * list's order, or the rows a trigram index names for a search. */
typedef enum list_path { LIST_PLAIN, LIST_WINDOW, LIST_INDEXED } list_path;

/* Users a search reads in id order before it turns to its index: a term in more than
 * one in 40 of them fills a page of 50 there, where its index would name too many. */
#define SEARCH_WINDOW 2000

/* " AND id > ?" (or "<" descending) after the cursor, if any. */
static pc_status add_cursor(const pc_store_query *q, char *sql, size_t *len, binder *b)
{
    pc_status rc;

    if (q->after == NULL)
        return PC_OK;
    rc = sql_cat(sql, len, " AND id %s ?", q->descending ? "<" : ">");
    return rc == PC_OK ? bind_text(b, q->after) : rc;
}

/* " FROM ..." for the path: the table, or its first SEARCH_WINDOW rows after the cursor. */
static pc_status list_from(const sql_entity_spec *spec, const char *tenant_id,
                           const pc_store_query *q, list_path path, char *sql, size_t *len,
                           binder *b)
{
    pc_status rc;

    if (path != LIST_WINDOW) /* the index names rows by rowid: no other index may lead */
        return sql_cat(sql, len, " FROM %s%s", spec->table,
                       path == LIST_INDEXED ? " NOT INDEXED" : "");
    rc = sql_cat(sql, len, " FROM (SELECT * FROM %s", spec->table);
    if (rc == PC_OK)
        rc = where_tenant(spec, tenant_id, sql, len, b);
    if (rc == PC_OK)
        rc = add_cursor(q, sql, len, b);
    if (rc == PC_OK)
        rc = sql_cat(sql, len, " ORDER BY id %s LIMIT %d) AS %s", q->descending ? "DESC" : "ASC",
                     SEARCH_WINDOW, spec->table);
    return rc;
}

static pc_status list_run(sql_store *st, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                          const pc_store_query *q, list_path path, const char *match,
                          sql_result **r)
{
    const sql_entity_spec *spec = sql_entity(ent);
    const char *index = st->drv->user_search_index;
    char sql[SQL_MAX];
    size_t len = 0;
    binder b = {.n = 0};
    pc_status rc = sql_cat(sql, &len, "SELECT %s", sql_entity_select_list(ent));

    if (rc == PC_OK)
        rc = list_from(spec, tenant_id, q, path, sql, &len, &b);
    if (rc == PC_OK)
        rc = where_tenant(spec, tenant_id, sql, &len, &b);
    if (rc == PC_OK && path == LIST_INDEXED)
        rc = sql_cat(sql, &len, " AND rowid IN (SELECT rowid FROM %s WHERE %s MATCH ?)", index,
                     index);
    if (rc == PC_OK && path == LIST_INDEXED)
        rc = bind_text(&b, match);
    if (rc == PC_OK && q->filters != NULL)
        rc = add_filters(st, ent, spec, q->filters, sql, &len, &b);
    if (rc == PC_OK)
        rc = add_cursor(q, sql, &len, &b);
    if (rc == PC_OK)
        rc = sql_cat(sql, &len, " ORDER BY id %s LIMIT ?", q->descending ? "DESC" : "ASC");
    if (rc == PC_OK)
        rc = bind_int(&b, q->limit ? q->limit : 50);
    if (rc == PC_OK)
        rc = sql_run_once(st, tx, sql, b.p, b.n, r, NULL, 0);
    binder_free(&b);
    return rc;
}

/* The trigram index's query for a user search it can serve (sql_search.h), or NULL. */
static char *indexed_search(const sql_store *st, pc_entity ent, const pc_store_query *q)
{
    const json_t *term = q->filters ? json_object_get(q->filters, "q") : NULL;

    if (st->drv->user_search_index == NULL || ent != PC_ENT_USER || !json_is_string(term))
        return NULL;
    return sql_search_match(json_string_value(term));
}

pc_status sql_store_list(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                         const pc_store_query *q, json_t **out)
{
    const sql_entity_spec *spec = sql_entity(ent);
    sql_result *r = NULL;
    char *match;
    pc_status rc;

    if (spec == NULL || q == NULL)
        return PC_ERR_INVALID;
    /* A search the index can serve reads the first users in order first: a common term
     * fills its page there; a rarer one is looked up in the index, then checked alike. */
    match = indexed_search(state, ent, q);
    rc = list_run(state, tx, ent, tenant_id, q, match ? LIST_WINDOW : LIST_PLAIN, NULL, &r);
    if (rc == PC_OK && match != NULL && r->nrows < (size_t)(q->limit ? q->limit : 50)) {
        sql_result_free(r);
        r = NULL;
        rc = list_run(state, tx, ent, tenant_id, q, LIST_INDEXED, match, &r);
    }
    free(match);
    if (rc == PC_OK) {
        *out = json_array();
        for (size_t i = 0; i < r->nrows; i++)
            json_array_append_new(*out, sql_row_to_json(spec, r, i));
    }
    sql_result_free(r);
    return rc;
}

static pc_status add_assignments(const sql_entity_spec *spec, const json_t *patch, char *sql,
                                 size_t *len, binder *b)
{
    const char *key;
    json_t *v;
    int first = 1;
    pc_status rc = PC_OK;

    json_object_foreach ((json_t *)patch, key, v) {
        const sql_column *col = sql_entity_column(spec, key);
        if (col == NULL || (col->flags & COL_FIXED))
            return PC_ERR_INVALID;
        rc = sql_cat(sql, len, "%s%s = ?", first ? " SET " : ", ", col->name);
        if (rc == PC_OK)
            rc = bind_value(b, col, v);
        if (rc == PC_OK && (col->flags & COL_FOLDED))
            rc = sql_cat(sql, len, ", %s_fold = ?", col->name);
        if (rc == PC_OK && (col->flags & COL_FOLDED))
            rc = bind_fold(b, v);
        if (rc != PC_OK)
            return rc;
        first = 0;
    }
    return first ? PC_ERR_INVALID : PC_OK;
}

pc_status sql_store_update(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                           const char *id, const json_t *patch, char *conflict, size_t conflict_len)
{
    const sql_entity_spec *spec = sql_entity(ent);
    char sql[SQL_MAX];
    size_t len = 0;
    binder b = {.n = 0};
    sql_result *r = NULL;
    pc_status rc;

    if (spec == NULL || id == NULL || !json_is_object(patch))
        return PC_ERR_INVALID;
    rc = sql_cat(sql, &len, "UPDATE %s", spec->table);
    if (rc == PC_OK)
        rc = add_assignments(spec, patch, sql, &len, &b);
    if (rc == PC_OK)
        rc = where_tenant(spec, tenant_id, sql, &len, &b);
    if (rc == PC_OK)
        rc = sql_cat(sql, &len, " AND id = ?");
    if (rc == PC_OK)
        rc = bind_text(&b, id);
    if (rc == PC_OK)
        rc = sql_run_once(state, tx, sql, b.p, b.n, &r, conflict, conflict_len);
    if (rc == PC_OK && r->changes == 0)
        rc = PC_ERR_NOT_FOUND;
    sql_result_free(r);
    binder_free(&b);
    return rc;
}

static pc_status remove_in(sql_store *st, pc_store_tx *tx, const sql_entity_spec *spec,
                           const char *tenant_id, const char *id)
{
    char sql[SQL_MAX];
    size_t len = 0;
    binder b = {.n = 0};
    sql_result *r = NULL;
    pc_status rc = sql_cat(sql, &len, "DELETE FROM %s", spec->table);

    if (rc == PC_OK)
        rc = where_tenant(spec, tenant_id, sql, &len, &b);
    if (rc == PC_OK)
        rc = sql_cat(sql, &len, " AND id = ?");
    bind_text(&b, id);
    if (rc == PC_OK)
        rc = sql_run_once(st, tx, sql, b.p, b.n, &r, NULL, 0);
    if (rc == PC_OK && r->changes == 0)
        rc = PC_ERR_NOT_FOUND;
    sql_result_free(r);
    for (size_t i = 0; rc == PC_OK && spec->cleanup && spec->cleanup[i]; i++) {
        sql_param p = sql_text(id);
        rc = sql_run_once(st, tx, spec->cleanup[i], &p, 1, NULL, NULL, 0);
    }
    return rc;
}

pc_status sql_store_remove(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                           const char *id)
{
    const sql_entity_spec *spec = sql_entity(ent);
    pc_store_tx *own = NULL;
    pc_status rc;

    if (spec == NULL || id == NULL)
        return PC_ERR_INVALID;
    if (spec->cleanup == NULL || tx != NULL)
        return remove_in(state, tx, spec, tenant_id, id);
    /* The row and its links go together or not at all. */
    rc = sql_store_begin(state, &own);
    if (rc != PC_OK)
        return rc;
    rc = remove_in(state, own, spec, tenant_id, id);
    if (rc != PC_OK) {
        sql_store_rollback(own);
        return rc;
    }
    return sql_store_commit(own);
}

pc_status sql_store_expire(void *state, pc_entity ent, const char *column, int64_t before)
{
    const sql_entity_spec *spec = sql_entity(ent);
    const sql_column *col = spec ? sql_entity_column(spec, column) : NULL;
    char sql[256];
    sql_param p = sql_int(before);

    if (col == NULL || col->type != COL_INT)
        return PC_ERR_INVALID;
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s < ?", spec->table, col->name);
    return sql_run_once(state, NULL, sql, &p, 1, NULL, NULL, 0);
}

pc_status sql_store_count(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                          const json_t *filters, int64_t *n)
{
    const sql_entity_spec *spec = sql_entity(ent);
    char sql[SQL_MAX];
    size_t len = 0;
    binder b = {.n = 0};
    sql_result *r = NULL;
    pc_status rc;

    if (spec == NULL || n == NULL)
        return PC_ERR_INVALID;
    rc = sql_cat(sql, &len, "SELECT count(*) FROM %s", spec->table);
    if (rc == PC_OK)
        rc = where_tenant(spec, tenant_id, sql, &len, &b);
    if (rc == PC_OK && filters != NULL)
        rc = add_filters(state, ent, spec, filters, sql, &len, &b);
    if (rc == PC_OK)
        rc = sql_run_once(state, tx, sql, b.p, b.n, &r, NULL, 0);
    if (rc == PC_OK)
        *n = r->nrows > 0 ? strtoll(sql_cell(r, 0, 0), NULL, 10) : 0;
    sql_result_free(r);
    binder_free(&b);
    return rc;
}
