/* SPDX-License-Identifier: Apache-2.0 */
/* The table behind each storage entity and link: names, columns and their types. */
#ifndef PC_SQL_ENTITIES_H
#define PC_SQL_ENTITIES_H

#include <stddef.h>
#include <portcullis/storage.h>

typedef enum col_type { COL_TEXT, COL_INT, COL_JSON, COL_BOOL } col_type;

enum {
    COL_LOOKUP = 1 << 0, /**< may be the `field` of get() */
    COL_FILTER = 1 << 1, /**< may be an exact filter of list() */
    COL_SEARCH = 1 << 2, /**< part of the "q" substring search */
    COL_FIXED = 1 << 3,  /**< never changed by update() */
    COL_NOCASE = 1 << 4, /**< get() and exact filters compare without regard to case */
    /** kept folded (core/util/fold.c) in "<name>_fold" too, unique per tenant; get(), exact
     * filters and search compare the folds, the same on every store (instead of lower()) */
    COL_FOLDED = 1 << 5
};

typedef struct sql_column {
    const char *name;
    col_type type;
    unsigned flags;
} sql_column;

typedef struct sql_entity_spec {
    const char *table;
    const sql_column *cols;
    size_t ncols;
    int tenant_scoped;          /**< has a tenant_id column bound by every query */
    const char *const *cleanup; /**< statements run after a delete, each with ? = the id */
} sql_entity_spec;

typedef struct sql_link_spec {
    const char *table;
    const char *col_a;
    const char *col_b;
} sql_link_spec;

/**
 * A filter of list() that is not a column: `sql` is an AND-ed condition whose every
 * `?` binds the filter's (text or integer) value.
 */
typedef struct sql_special_filter {
    pc_entity ent;
    const char *key;
    const char *sql;
} sql_special_filter;

const sql_entity_spec *sql_entity(pc_entity ent);
/** The special filter `key` of `ent`, or NULL. */
const sql_special_filter *sql_entity_special_filter(pc_entity ent, const char *key);
const sql_link_spec *sql_link(pc_link kind);
const sql_column *sql_entity_column(const sql_entity_spec *spec, const char *name);
/** "c1, c2, ..." for SELECT lists; static per entity, built once. */
const char *sql_entity_select_list(pc_entity ent);

#endif
