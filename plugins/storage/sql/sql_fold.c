/* SPDX-License-Identifier: Apache-2.0 */
/* Schema 10: usernames and emails keep a C-folded copy (core/util/fold.c), computed here for the
 * users a store already has; a store whose users collide once folded is refused, naming them. */
#include "sql_internal.h"
#include "fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN 20

void sql_fold_column_name(char *column)
{
    size_t n = strlen(column);

    if (n > 5 && strcmp(column + n - 5, "_fold") == 0)
        column[n - 5] = '\0';
}

/* Record `key` (tenant, field, fold) for `value`; a second user with it is a collision. */
static void note_key(json_t *seen, json_t *clashes, const char *slug, const char *field,
                     const char *value, const char *fold)
{
    char *key;
    json_t *first;

    if (value == NULL || fold == NULL)
        return;
    if ((key = malloc(strlen(slug) + strlen(field) + strlen(fold) + 3)) == NULL)
        return;
    sprintf(key, "%s\x1f%s\x1f%s", slug, field, fold);
    first = json_object_get(seen, key);
    if (first == NULL)
        json_object_set_new(seen, key, json_string(value));
    else if (json_array_size(clashes) < SHOWN)
        json_array_append_new(clashes, json_pack("[s,s,O,s]", slug, field, first, value));
    free(key);
}

static void log_clashes(sql_store *st, const json_t *clashes)
{
    char msg[4096];
    size_t len = 0, i;
    json_t *c;

    len += (size_t)snprintf(msg, sizeof msg,
                            "schema %d compares usernames and emails by their Unicode case fold, "
                            "and these collide (tenant, field, one value, another):",
                            SQL_FOLD_MIGRATION);
    json_array_foreach (clashes, i, c) {
        if (len >= sizeof msg)
            break;
        len += (size_t)snprintf(
            msg + len, sizeof msg - len, " [%s %s \"%s\" \"%s\"]",
            json_string_value(json_array_get(c, 0)), json_string_value(json_array_get(c, 1)),
            json_string_value(json_array_get(c, 2)), json_string_value(json_array_get(c, 3)));
    }
    if (len < sizeof msg)
        snprintf(
            msg + len, sizeof msg - len,
            "; rename or merge them (docs/people.md, \"Case-duplicates\"), then migrate again");
    if (st->host != NULL)
        st->host->log(PC_LOG_ERROR, st->drv->name, "%s", msg);
}

/* Write the folds of one user. */
static pc_status write_folds(sql_store *st, sql_conn *c, const char *id, const char *user_fold,
                             const char *email_fold)
{
    sql_param p[3] = {sql_text(user_fold), sql_text(email_fold), sql_text(id)};

    return sql_run(st, c, "UPDATE users SET username_fold = ?, email_fold = ? WHERE id = ?", p, 3,
                   NULL, NULL, 0);
}

/* Every user's folds; PC_ERR_CONFLICT (logged, nothing kept: the caller rolls back) on a clash. */
static pc_status backfill(sql_store *st, sql_conn *c, const sql_result *r)
{
    json_t *seen = json_object(), *clashes = json_array();
    char **folds = calloc(r->nrows * 2 + 1, sizeof *folds);
    pc_status rc = folds ? PC_OK : PC_ERR_INTERNAL;

    for (size_t i = 0; rc == PC_OK && i < r->nrows; i++) {
        folds[2 * i] = pc_fold_key(sql_cell(r, i, 2));
        folds[2 * i + 1] = pc_fold_key(sql_cell(r, i, 3));
        note_key(seen, clashes, sql_cell(r, i, 1), "username", sql_cell(r, i, 2), folds[2 * i]);
        note_key(seen, clashes, sql_cell(r, i, 1), "email", sql_cell(r, i, 3), folds[2 * i + 1]);
    }
    if (rc == PC_OK && json_array_size(clashes) > 0) {
        log_clashes(st, clashes);
        rc = PC_ERR_CONFLICT;
    }
    for (size_t i = 0; rc == PC_OK && i < r->nrows; i++)
        rc = write_folds(st, c, sql_cell(r, i, 0), folds[2 * i], folds[2 * i + 1]);
    for (size_t i = 0; folds != NULL && i < r->nrows * 2; i++)
        free(folds[i]);
    free(folds);
    json_decref(seen);
    json_decref(clashes);
    return rc;
}

pc_status sql_migration_after(sql_store *st, sql_conn *c, int to_version)
{
    sql_result *r = NULL;
    pc_status rc;

    if (to_version != SQL_FOLD_MIGRATION)
        return PC_OK;
    rc = sql_run(st, c,
                 "SELECT u.id, t.slug, u.username, u.email FROM users u"
                 " JOIN tenants t ON t.id = u.tenant_id ORDER BY u.id",
                 NULL, 0, &r, NULL, 0);
    if (rc == PC_OK)
        rc = backfill(st, c, r);
    sql_result_free(r);
    return rc;
}
