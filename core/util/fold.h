/* SPDX-License-Identifier: Apache-2.0 */
/* Unicode case folding for names unique without regard to case (API.md §11): one implementation,
 * compiled into the core and into the SQL stores, so that SQLite and PostgreSQL agree. */
#ifndef PC_UTIL_FOLD_H
#define PC_UTIL_FOLD_H

/**
 * The caseless-match key of `s` (UTF-8): Unicode full case folding, so that "Ärger" and
 * "äRGER", or "Straße" and "STRASSE", have one key. New string (free()), or NULL for NULL
 * or when out of memory. Bytes that are not valid UTF-8 fold ASCII letters only.
 */
char *pc_fold_key(const char *s);
/** `s` in lowercase (Unicode, no locale): the stored form of emails. New string as above. */
char *pc_fold_lower(const char *s);
#endif
