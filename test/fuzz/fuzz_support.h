/* SPDX-License-Identifier: Apache-2.0 */
/* What the harnesses share: the fixed secrets seeds are made with, and fuzz input cut into lines. */
#ifndef PC_FUZZ_SUPPORT_H
#define PC_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixed so that seeds made by gen_seeds.c open in the harnesses; never a real server's. */
#define FUZZ_KEY_BYTE 0x5a
#define FUZZ_TENANT_ID "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
#define FUZZ_ISSUER "https://id.example.test/t/fuzz"

/** Abort with a message: libFuzzer reports the input as a crash. */
#define FUZZ_ASSERT(cond)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/** The input cut at '\n' into NUL-terminated lines (NUL bytes stay inside, ending C strings). */
typedef struct fuzz_lines {
    char *buf;
    char *line[8];
    size_t n;
} fuzz_lines;

static inline void fuzz_lines_split(fuzz_lines *l, const uint8_t *data, size_t size)
{
    char *p;

    l->buf = malloc(size + 1);
    memcpy(l->buf, data, size);
    l->buf[size] = '\0';
    l->n = 0;
    p = l->buf;
    while (l->n < sizeof l->line / sizeof l->line[0]) {
        char *nl = memchr(p, '\n', (size_t)(l->buf + size - p));
        l->line[l->n++] = p;
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
}

/** Line i, or `def` when the input has fewer lines. */
static inline const char *fuzz_line(const fuzz_lines *l, size_t i, const char *def)
{
    return i < l->n ? l->line[i] : def;
}

static inline void fuzz_lines_free(fuzz_lines *l)
{
    free(l->buf);
}

/** A NUL-terminated copy of the whole input. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
#endif
