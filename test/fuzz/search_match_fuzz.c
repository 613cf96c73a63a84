/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the trigram query of a user search (plugins/storage/sql/sql_search.c): the input is
 * the search term (up to its first NUL). Where a query is made, SQLite's FTS5 must accept it
 * on a trigram index like users_trigrams (schema 16), and it must find a row that holds the
 * term, both as the search compares it (the folded term in a folded column) and as typed (in
 * a name column): the index may only ever widen what the search's LIKE then decides.
 */
#include "fuzz_support.h"
#include "fold.h"
#include "sql_search.h"

#include <sqlite3.h>

static sqlite3 *db;

static void open_index(void)
{
    FUZZ_ASSERT(sqlite3_open(":memory:", &db) == SQLITE_OK);
    FUZZ_ASSERT(sqlite3_exec(db,
                             "CREATE VIRTUAL TABLE t USING fts5(username_fold, name,"
                             " tokenize='trigram', detail='none')",
                             NULL, NULL, NULL) == SQLITE_OK);
}

/* Rows of t matching `match` after t holds only (`folded`, `term`) in `column`'s place. */
static int found(const char *match, const char *folded, const char *term, int as_name)
{
    sqlite3_stmt *s = NULL;
    int n = -1;

    FUZZ_ASSERT(sqlite3_exec(db, "DELETE FROM t", NULL, NULL, NULL) == SQLITE_OK);
    FUZZ_ASSERT(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?)", -1, &s, NULL) == SQLITE_OK);
    sqlite3_bind_text(s, 1, as_name ? "" : folded, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, as_name ? term : "", -1, SQLITE_STATIC);
    FUZZ_ASSERT(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_finalize(s);
    FUZZ_ASSERT(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &s, NULL) ==
                SQLITE_OK);
    sqlite3_bind_text(s, 1, match, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    else
        fprintf(stderr, "MATCH %s: %s\n", match, sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *term = strndup((const char *)data, size), *match, *folded;

    if (db == NULL)
        open_index();
    if (term == NULL)
        return 0;
    match = sql_search_match(term);
    folded = pc_fold_key(term);
    if (match != NULL) {
        FUZZ_ASSERT(folded != NULL);
        FUZZ_ASSERT(found(match, folded, term, 0) == 1);
        FUZZ_ASSERT(found(match, folded, term, 1) == 1);
    }
    free(match);
    free(folded);
    free(term);
    return 0;
}
