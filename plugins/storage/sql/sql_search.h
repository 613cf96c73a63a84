/* SPDX-License-Identifier: Apache-2.0 */
/* A substring search's query for a trigram index (issue 20: SQLite's users_trigrams, schema 16). */
#ifndef PC_SQL_SEARCH_H
#define PC_SQL_SEARCH_H

/**
 * The FTS5 MATCH expression that a row holding `term` as a substring satisfies, in any
 * searchable column: every trigram of the term's case fold, or every trigram of the term
 * itself, each as one FTS5 string ("abc" AND "bcd" ...). It may be satisfied by rows that
 * do not hold the term (the trigrams apart): the search's own LIKE decides. New string, or
 * NULL when the term or its fold has under 3 characters (a trigram index cannot serve it).
 */
char *sql_search_match(const char *term);

#endif
