/* SPDX-License-Identifier: Apache-2.0 */
/* Unicode case folding (ICU) for the core and the SQL stores alike; self-contained: libc and ICU only. */
#include "fold.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

/* The fallback for text that is not valid UTF-8: ASCII letters folded, other bytes kept. */
static char *ascii_lower(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
    return out;
}

static UChar *to_utf16(const char *s, int32_t *len)
{
    UErrorCode e = U_ZERO_ERROR;
    UChar *u;

    u_strFromUTF8(NULL, 0, len, s, -1, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        return NULL;
    if ((u = malloc(((size_t)*len + 1) * sizeof *u)) == NULL)
        return NULL;
    e = U_ZERO_ERROR;
    u_strFromUTF8(u, *len + 1, NULL, s, -1, &e);
    if (U_FAILURE(e)) {
        free(u);
        return NULL;
    }
    return u;
}

static char *to_utf8(const UChar *u, int32_t len)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = 0;
    char *out;

    u_strToUTF8(NULL, 0, &n, u, len, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        return NULL;
    if ((out = malloc((size_t)n + 1)) == NULL)
        return NULL;
    e = U_ZERO_ERROR;
    u_strToUTF8(out, n + 1, NULL, u, len, &e);
    if (U_FAILURE(e)) {
        free(out);
        return NULL;
    }
    return out;
}

/* Fold `in` into a new buffer, `lower` choosing lowercase over case folding; *n its length. */
static UChar *convert(const UChar *in, int32_t len, int lower, int32_t *n)
{
    UErrorCode e = U_ZERO_ERROR;
    UChar *out;

    *n = lower ? u_strToLower(NULL, 0, in, len, "", &e)
               : u_strFoldCase(NULL, 0, in, len, U_FOLD_CASE_DEFAULT, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        return NULL;
    if ((out = malloc(((size_t)*n + 1) * sizeof *out)) == NULL)
        return NULL;
    e = U_ZERO_ERROR;
    if (lower)
        u_strToLower(out, *n + 1, in, len, "", &e);
    else
        u_strFoldCase(out, *n + 1, in, len, U_FOLD_CASE_DEFAULT, &e);
    if (U_FAILURE(e)) {
        free(out);
        return NULL;
    }
    return out;
}

static char *fold(const char *s, int lower)
{
    int32_t len = 0, n = 0;
    UChar *u, *f;
    char *out;

    if (s == NULL)
        return NULL;
    if ((u = to_utf16(s, &len)) == NULL)
        return ascii_lower(s);
    f = convert(u, len, lower, &n);
    free(u);
    out = f != NULL ? to_utf8(f, n) : NULL;
    free(f);
    return out != NULL ? out : ascii_lower(s);
}

char *pc_fold_key(const char *s)
{
    return fold(s, 0);
}

char *pc_fold_lower(const char *s)
{
    return fold(s, 1);
}
