/* SPDX-License-Identifier: Apache-2.0 */
/* The storage operations that are not plain records: links, permissions, refresh tokens, sessions, the change feed. */
#include "sql_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One column of text values as a JSON array (new), without duplicates. */
static json_t *column_strings(const sql_result *r, size_t col)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->nrows; i++) {
        const char *v = sql_cell(r, i, col);
        if (v != NULL)
            json_array_append_new(a, json_string(v));
    }
    return a;
}

pc_status sql_store_link_add(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                             const char *a, const char *b)
{
    const sql_link_spec *l = sql_link(kind);
    char sql[256];
    sql_param p[3] = {sql_text(tenant_id), sql_text(a), sql_text(b)};

    if (l == NULL || tenant_id == NULL || a == NULL || b == NULL)
        return PC_ERR_INVALID;
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (tenant_id, %s, %s) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", l->table,
             l->col_a, l->col_b);
    return sql_run_once(state, tx, sql, p, 3, NULL, NULL, 0);
}

pc_status sql_store_link_remove(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                                const char *a, const char *b)
{
    const sql_link_spec *l = sql_link(kind);
    char sql[256];
    sql_param p[3] = {sql_text(tenant_id), sql_text(a), sql_text(b)};

    if (l == NULL || tenant_id == NULL || a == NULL)
        return PC_ERR_INVALID;
    if (b != NULL)
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE tenant_id = ? AND %s = ? AND %s = ?",
                 l->table, l->col_a, l->col_b);
    else
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE tenant_id = ? AND %s = ?", l->table,
                 l->col_a);
    return sql_run_once(state, tx, sql, p, b != NULL ? 3 : 2, NULL, NULL, 0);
}

pc_status sql_store_link_list(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                              const char *id, int reverse, json_t **out)
{
    const sql_link_spec *l = sql_link(kind);
    char sql[256];
    sql_param p[2] = {sql_text(tenant_id), sql_text(id)};
    sql_result *r = NULL;
    pc_status rc;

    if (l == NULL || tenant_id == NULL || id == NULL)
        return PC_ERR_INVALID;
    snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE tenant_id = ? AND %s = ? ORDER BY 1",
             reverse ? l->col_a : l->col_b, l->table, reverse ? l->col_b : l->col_a);
    rc = sql_run_once(state, tx, sql, p, 2, &r, NULL, 0);
    if (rc == PC_OK)
        *out = column_strings(r, 0);
    sql_result_free(r);
    return rc;
}

/* ---- links of a page of records (issue 20) ---- */
#define MANY_MAX 128

/* " IN (?, ?, ...)" for the n strings of `ids`, bound from p[1]. */
static pc_status bind_many(const json_t *ids, sql_param *p, char *sql, size_t len)
{
    size_t used = strlen(sql), n = json_array_size(ids);

    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        int w = snprintf(sql + used, len - used, "%s?", i ? ", " : " IN (");
        if (id == NULL || w < 0 || (size_t)w >= len - used)
            return PC_ERR_INVALID;
        used += (size_t)w;
        p[i + 1] = sql_text(id);
    }
    return (size_t)snprintf(sql + used, len - used, ") ORDER BY 1, 2") < len - used
               ? PC_OK
               : PC_ERR_INVALID;
}

pc_status sql_store_link_list_many(void *state, pc_store_tx *tx, pc_link kind,
                                   const char *tenant_id, const json_t *ids, int reverse,
                                   json_t **out)
{
    const sql_link_spec *l = sql_link(kind);
    const char *from = l ? (reverse ? l->col_b : l->col_a) : NULL;
    char sql[256 + 3 * MANY_MAX];
    sql_param p[MANY_MAX + 1];
    sql_result *r = NULL;
    size_t n = json_array_size(ids);
    pc_status rc;

    if (l == NULL || tenant_id == NULL || n == 0 || n > MANY_MAX)
        return n == 0 && l != NULL && tenant_id != NULL ? (*out = json_object(), PC_OK)
                                                        : PC_ERR_INVALID;
    p[0] = sql_text(tenant_id);
    snprintf(sql, sizeof sql, "SELECT %s, %s FROM %s WHERE tenant_id = ? AND %s", from,
             reverse ? l->col_a : l->col_b, l->table, from);
    rc = bind_many(ids, p, sql, sizeof sql);
    if (rc == PC_OK)
        rc = sql_run_once(state, tx, sql, p, n + 1, &r, NULL, 0);
    if (rc == PC_OK) {
        *out = json_object();
        for (size_t i = 0; i < n; i++)
            json_object_set_new(*out, json_string_value(json_array_get(ids, i)), json_array());
        for (size_t i = 0; i < r->nrows; i++)
            json_array_append_new(json_object_get(*out, sql_cell(r, i, 0)),
                                  json_string(sql_cell(r, i, 1)));
    }
    sql_result_free(r);
    return rc;
}
/* ---- end of links of a page of records ---- */

/* Roles a principal holds directly or through its groups. */
#define EFFECTIVE_ROLES                                                                     \
    " FROM roles r WHERE r.tenant_id = ? AND (r.id IN (SELECT role_id FROM principal_roles" \
    " WHERE principal_id = ?) OR r.id IN (SELECT gr.role_id FROM group_roles gr"            \
    " JOIN group_members gm ON gm.group_id = gr.group_id WHERE gm.user_id = ?))"

pc_status sql_store_principal_roles(void *state, pc_store_tx *tx, const char *tenant_id,
                                    const char *principal_id, json_t **out)
{
    sql_param p[3] = {sql_text(tenant_id), sql_text(principal_id), sql_text(principal_id)};
    sql_result *r = NULL;
    pc_status rc;

    if (tenant_id == NULL || principal_id == NULL)
        return PC_ERR_INVALID;
    rc = sql_run_once(state, tx, "SELECT r.name" EFFECTIVE_ROLES " ORDER BY r.name", p, 3, &r, NULL,
                      0);
    if (rc == PC_OK)
        *out = column_strings(r, 0);
    sql_result_free(r);
    return rc;
}

static void union_into(json_t *set, json_t *seen, const char *perms_json)
{
    json_t *perms = json_loads(perms_json, 0, NULL);
    size_t i;
    json_t *v;

    json_array_foreach (perms, i, v) {
        const char *s = json_string_value(v);
        if (s != NULL && json_object_get(seen, s) == NULL) {
            json_object_set_new(seen, s, json_true());
            json_array_append(set, v);
        }
    }
    json_decref(perms);
}

pc_status sql_store_principal_permissions(void *state, pc_store_tx *tx, const char *tenant_id,
                                          const char *principal_id, json_t **out)
{
    sql_param p[3] = {sql_text(tenant_id), sql_text(principal_id), sql_text(principal_id)};
    sql_result *r = NULL;
    pc_status rc;

    if (tenant_id == NULL || principal_id == NULL)
        return PC_ERR_INVALID;
    rc = sql_run_once(state, tx, "SELECT r.permissions" EFFECTIVE_ROLES, p, 3, &r, NULL, 0);
    if (rc == PC_OK) {
        json_t *seen = json_object();
        *out = json_array();
        for (size_t i = 0; i < r->nrows; i++)
            if (sql_cell(r, i, 0) != NULL)
                union_into(*out, seen, sql_cell(r, i, 0));
        json_decref(seen);
    }
    sql_result_free(r);
    return rc;
}

/* The columns of `ent` for RETURNING after the statement `sql`, into buf. */
static const char *returning(char *buf, size_t len, const char *sql, pc_entity ent)
{
    int n = snprintf(buf, len, "%s RETURNING %s", sql, sql_entity_select_list(ent));

    return n > 0 && (size_t)n < len ? buf : NULL;
}

/* After a conditional write changed nothing: a replay (PC_ERR_CONFLICT, *out
 * set) if `replayed` says so of the record, else PC_ERR_NOT_FOUND. */
static pc_status why_not(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                         const char *id, int (*replayed)(const json_t *rec), json_t **out)
{
    json_t *rec = NULL;
    pc_status rc = sql_store_get(state, tx, ent, tenant_id, "id", id, &rec);

    if (rc == PC_OK)
        rc = replayed(rec) ? PC_ERR_CONFLICT : PC_ERR_NOT_FOUND;
    if (rc == PC_ERR_CONFLICT)
        *out = rec;
    else
        json_decref(rec);
    return rc;
}

/* Run a conditional UPDATE ... RETURNING on one record: PC_OK with the record
 * if it changed it, else the answer of why_not. Of two concurrent writers
 * exactly one changes the row. */
static pc_status update_once(void *state, pc_store_tx *tx, const char *update, const sql_param *p,
                             size_t n, pc_entity ent, const char *tenant_id, const char *id,
                             int (*replayed)(const json_t *rec), json_t **out)
{
    char sql[1024];
    sql_result *r = NULL;
    pc_status rc;

    if (tenant_id == NULL || id == NULL)
        return PC_ERR_INVALID;
    if (returning(sql, sizeof sql, update, ent) == NULL)
        return PC_ERR_INTERNAL;
    rc = sql_run_once(state, tx, sql, p, n, &r, NULL, 0);
    if (rc == PC_OK && r->nrows == 1)
        *out = sql_row_to_json(sql_entity(ent), r, 0);
    sql_result_free(r);
    if (rc != PC_OK || *out != NULL)
        return rc;
    return why_not(state, tx, ent, tenant_id, id, replayed, out);
}

/* A rotation lost to a newer generation, not to revocation or expiry. */
static int grant_moved_on(const json_t *rec)
{
    return json_is_null(json_object_get(rec, "revoked_at"));
}

pc_status sql_store_refresh_rotate(void *state, pc_store_tx *tx, const char *tenant_id,
                                   const char *id, int64_t from, const char *client_id,
                                   const char *secret_hash, const char *next_hash,
                                   int64_t expires_at, int64_t now, json_t **out)
{
    sql_param p[9] = {sql_text(next_hash), sql_int(expires_at),   sql_int(now),
                      sql_text(id),        sql_text(tenant_id),   sql_text(client_id),
                      sql_int(from),       sql_text(secret_hash), sql_int(now)};
    pc_status rc;

    *out = NULL;
    if (client_id == NULL || secret_hash == NULL || next_hash == NULL)
        return PC_ERR_INVALID;
    rc = update_once(state, tx,
                     "UPDATE refresh_grants SET generation = generation + 1,"
                     " prev_hash = secret_hash, secret_hash = ?, expires_at = ?, rotated_at = ?"
                     " WHERE id = ? AND tenant_id = ?"
                     " AND client_id = ? AND generation = ? AND secret_hash = ?"
                     " AND revoked_at IS NULL AND expires_at > ?",
                     p, 9, PC_ENT_REFRESH, tenant_id, id, grant_moved_on, out);
    /* Found but neither advanced nor moved on: only a generation behind `from`
     * (which no valid token names) or an expired grant land here. */
    if (rc == PC_ERR_CONFLICT && json_integer_value(json_object_get(*out, "generation")) <= from) {
        json_decref(*out);
        *out = NULL;
        rc = PC_ERR_NOT_FOUND;
    }
    return rc;
}

pc_status sql_store_refresh_rotate_grace(void *state, pc_store_tx *tx, const char *tenant_id,
                                         const char *id, int64_t from, const char *client_id,
                                         const char *prev_hash, int64_t not_before,
                                         const char *next_hash, int64_t expires_at, int64_t now,
                                         json_t **out)
{
    sql_param p[9] = {sql_text(next_hash), sql_int(expires_at), sql_text(id),
                      sql_text(tenant_id), sql_text(client_id), sql_int(from),
                      sql_text(prev_hash), sql_int(not_before), sql_int(now)};
    pc_status rc;

    *out = NULL;
    if (client_id == NULL || prev_hash == NULL || next_hash == NULL)
        return PC_ERR_INVALID;
    /* prev_hash and rotated_at stay: a retry never moves the window. */
    rc = update_once(state, tx,
                     "UPDATE refresh_grants SET generation = generation + 1, secret_hash = ?,"
                     " expires_at = ? WHERE id = ? AND tenant_id = ? AND client_id = ?"
                     " AND generation = ? AND prev_hash = ? AND rotated_at >= ?"
                     " AND revoked_at IS NULL AND expires_at > ?",
                     p, 9, PC_ENT_REFRESH, tenant_id, id, grant_moved_on, out);
    /* An expired grant has no successor to race for. */
    if (rc == PC_ERR_CONFLICT && json_integer_value(json_object_get(*out, "expires_at")) <= now) {
        json_decref(*out);
        *out = NULL;
        rc = PC_ERR_NOT_FOUND;
    }
    return rc;
}

pc_status sql_store_refresh_revoke(void *state, pc_store_tx *tx, const char *tenant_id,
                                   const char *column, const char *value, int64_t now,
                                   json_t **revoked)
{
    char sql[256];
    sql_param p[3] = {sql_int(now), sql_text(tenant_id), sql_text(value)};
    sql_result *r = NULL;
    pc_status rc;

    if (tenant_id == NULL || value == NULL || column == NULL ||
        (strcmp(column, "id") && strcmp(column, "sid") && strcmp(column, "user_id") &&
         strcmp(column, "client_id")))
        return PC_ERR_INVALID;
    snprintf(sql, sizeof sql,
             "UPDATE refresh_grants SET revoked_at = ?"
             " WHERE tenant_id = ? AND %s = ? AND revoked_at IS NULL RETURNING id",
             column);
    rc = sql_run_once(state, tx, sql, p, 3, &r, NULL, 0);
    if (rc == PC_OK && revoked != NULL) {
        *revoked = json_array();
        for (size_t i = 0; i < r->nrows; i++)
            json_array_append_new(*revoked, json_string(sql_cell(r, i, 0)));
    }
    sql_result_free(r);
    return rc;
}

pc_status sql_store_sessions_end(void *state, pc_store_tx *tx, const char *tenant_id,
                                 const char *user_id, int64_t now, json_t **ended)
{
    sql_param sel[2] = {sql_text(tenant_id), sql_text(user_id)};
    sql_param upd[3] = {sql_int(now), sql_text(tenant_id), sql_text(user_id)};
    sql_result *r = NULL;
    pc_status rc;

    if (tenant_id == NULL || user_id == NULL)
        return PC_ERR_INVALID;
    rc = sql_run_once(state, tx,
                      "SELECT id FROM sessions WHERE tenant_id = ? AND user_id = ?"
                      " AND ended_at IS NULL",
                      sel, 2, &r, NULL, 0);
    if (rc == PC_OK)
        rc = sql_run_once(state, tx,
                          "UPDATE sessions SET ended_at = ? WHERE tenant_id = ?"
                          " AND user_id = ? AND ended_at IS NULL",
                          upd, 3, NULL, NULL, 0);
    if (rc == PC_OK && ended != NULL)
        *ended = column_strings(r, 0);
    sql_result_free(r);
    return rc;
}

static pc_status append_change(sql_store *st, pc_store_tx *tx, const pc_change *c)
{
    sql_param p[5] = {sql_text(c->tenant_id), sql_text(c->kind), sql_text(c->key), sql_int(c->at),
                      sql_int(c->expires_at)};
    pc_status rc = PC_OK;

    if (st->drv->change_lock_sql != NULL)
        rc = sql_run_once(st, tx, st->drv->change_lock_sql, NULL, 0, NULL, NULL, 0);
    if (rc == PC_OK)
        rc = sql_run_once(st, tx,
                          "INSERT INTO changes (tenant_id, kind, key, at, expires_at)"
                          " VALUES (?, ?, ?, ?, ?)",
                          p, 5, NULL, NULL, 0);
    if (rc == PC_OK && st->drv->change_notify_sql != NULL)
        rc = sql_run_once(st, tx, st->drv->change_notify_sql, NULL, 0, NULL, NULL, 0);
    return rc;
}

pc_status sql_store_change_wait(void *state, int timeout_ms)
{
    sql_store *st = state;
    char err[256] = "";
    int woken;

    if (st->drv->wait_notify == NULL)
        return PC_ERR_UNAVAILABLE;
    /* A connection of its own, outside the pool: it sits in LISTEN. */
    if (st->listener == NULL &&
        st->drv->connect(st->uri, &st->listener, err, sizeof err) != PC_OK) {
        st->listener = NULL;
        return PC_ERR_STORAGE;
    }
    woken = st->drv->wait_notify(st->listener, timeout_ms);
    if (woken < 0) {
        st->drv->disconnect(st->listener);
        st->listener = NULL;
        return PC_ERR_STORAGE;
    }
    return woken ? PC_OK : PC_DECLINED;
}

pc_status sql_store_change_add(void *state, pc_store_tx *tx, const pc_change *c)
{
    sql_store *st = state;
    pc_store_tx *own = NULL;
    pc_status rc;

    if (tx != NULL || st->drv->change_lock_sql == NULL)
        return append_change(st, tx, c);
    /* The lock must be held until the entry commits: give it a transaction. */
    rc = sql_store_begin(st, &own);
    if (rc != PC_OK)
        return rc;
    rc = append_change(st, own, c);
    if (rc != PC_OK) {
        sql_store_rollback(own);
        return rc;
    }
    return sql_store_commit(own);
}

static void copy_field(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

pc_status sql_store_change_since(void *state, int64_t after, pc_change *buf, size_t max, size_t *n)
{
    sql_param p[2] = {sql_int(after), sql_int((int64_t)max)};
    sql_result *r = NULL;
    pc_status rc;

    *n = 0;
    rc = sql_run_once(state, NULL,
                      "SELECT seq, tenant_id, kind, key, at, expires_at FROM changes"
                      " WHERE seq > ? ORDER BY seq LIMIT ?",
                      p, 2, &r, NULL, 0);
    for (size_t i = 0; rc == PC_OK && i < r->nrows && i < max; i++) {
        pc_change *c = &buf[i];
        c->seq = strtoll(sql_cell(r, i, 0), NULL, 10);
        copy_field(c->tenant_id, sizeof c->tenant_id, sql_cell(r, i, 1));
        copy_field(c->kind, sizeof c->kind, sql_cell(r, i, 2));
        copy_field(c->key, sizeof c->key, sql_cell(r, i, 3));
        c->at = strtoll(sql_cell(r, i, 4), NULL, 10);
        c->expires_at = strtoll(sql_cell(r, i, 5), NULL, 10);
        (*n)++;
    }
    sql_result_free(r);
    return rc;
}

pc_status sql_store_change_purge(void *state, int64_t now)
{
    sql_param p = sql_int(now);

    return sql_run_once(state, NULL, "DELETE FROM changes WHERE expires_at < ?", &p, 1, NULL, NULL,
                        0);
}

static int code_replayed(const json_t *rec)
{
    return json_is_integer(json_object_get(rec, "used_at"));
}

pc_status sql_store_code_take(void *state, pc_store_tx *tx, const char *tenant_id, const char *id,
                              int64_t now, json_t **out)
{
    sql_param p[4] = {sql_int(now), sql_text(id), sql_text(tenant_id), sql_int(now)};

    *out = NULL;
    return update_once(state, tx,
                       "UPDATE authorization_codes SET used_at = ? WHERE id = ? AND tenant_id = ?"
                       " AND used_at IS NULL AND expires_at > ?",
                       p, 4, PC_ENT_CODE, tenant_id, id, code_replayed, out);
}
