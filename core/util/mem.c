/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation helpers that abort on exhaustion. */
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>

static void out_of_memory(void)
{
    fputs("portcullis: out of memory\n", stderr);
    abort();
}

void *pc_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *pc_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *pc_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        out_of_memory();
    return q;
}

char *pc_strdup(const char *s)
{
    return s == NULL ? NULL : pc_strndup(s, strlen(s));
}

char *pc_strndup(const char *s, size_t n)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = pc_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *pc_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory();
    return s;
}

void pc_free_secret(char *s)
{
    if (s == NULL)
        return;
    gnutls_memset(s, 0, strlen(s));
    free(s);
}
