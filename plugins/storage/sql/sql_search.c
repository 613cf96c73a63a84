/* SPDX-License-Identifier: Apache-2.0 */
/* A substring search's query for a trigram index (SQLite's FTS5 users_trigrams, schema 18). */
#include "sql_search.h"
#include "fold.h"

#include <stdlib.h>
#include <string.h>

/* At most this many trigrams of a term are asked for: fewer only widen the candidates. */
#define MAX_TRIGRAMS 24

/* Bytes of the character starting at `s`, counted as FTS5's tokenizers count them (its
 * READ_UTF8): a byte from 0xC0 with every continuation byte after it; any other byte alone.
 * Invalid UTF-8 is cut the same way here and in the index, so a trigram is still one token. */
static size_t char_len(const unsigned char *s)
{
    size_t n = 1;

    if (*s >= 0xC0)
        while ((s[n] & 0xC0) == 0x80)
            n++;
    return n;
}

/* Start offsets of the first `max` characters of `s`, their count in *n, then their end. */
static void char_starts(const char *s, size_t *starts, size_t max, size_t *n)
{
    size_t i = 0;

    *n = 0;
    while (s[i] != '\0' && *n < max) {
        starts[(*n)++] = i;
        i += char_len((const unsigned char *)s + i);
    }
    starts[*n] = i; /* where the last character counted ends: starts has max + 1 places */
}

/* ("abc" AND "bcd" ...) for `s` appended at `w`; 0 when `s` has under 3 characters. */
static size_t append_group(const char *s, char *w)
{
    size_t starts[MAX_TRIGRAMS + 3], n, len = 0;

    char_starts(s, starts, MAX_TRIGRAMS + 2, &n);
    if (n < 3)
        return 0;
    w[len++] = '(';
    for (size_t t = 0; t + 2 < n && t < MAX_TRIGRAMS; t++) {
        if (t > 0) {
            memcpy(w + len, " AND ", 5);
            len += 5;
        }
        w[len++] = '"';
        for (size_t i = starts[t]; i < starts[t + 3]; i++) {
            if (s[i] == '"')
                w[len++] = '"'; /* FTS5 strings double their quotes */
            w[len++] = s[i];
        }
        w[len++] = '"';
    }
    w[len++] = ')';
    return len;
}

char *sql_search_match(const char *term)
{
    char *folded = term ? pc_fold_key(term) : NULL;
    size_t cap, len;
    char *q;

    if (folded == NULL)
        return NULL;
    /* a byte is in at most 3 trigrams, quotes doubled; 7 more per trigram; the joints */
    cap = 16 * (strlen(term) + strlen(folded)) + 32;
    q = malloc(cap);
    len = q ? append_group(folded, q) : 0;
    if (len > 0 && strcmp(folded, term) != 0) {
        size_t more;
        memcpy(q + len, " OR ", 4);
        more = append_group(term, q + len + 4);
        len = more ? len + 4 + more : 0;
    }
    free(folded);
    if (len == 0) {
        free(q);
        return NULL;
    }
    q[len] = '\0';
    return q;
}
