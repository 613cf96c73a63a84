/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation helpers that abort on exhaustion, so callers carry no dead error branches. */
#ifndef PC_UTIL_MEM_H
#define PC_UTIL_MEM_H

#include <stddef.h>

void *pc_malloc(size_t n);
void *pc_calloc(size_t count, size_t size);
void *pc_realloc(void *p, size_t n);
char *pc_strdup(const char *s); /**< NULL in, NULL out */
char *pc_strndup(const char *s, size_t n);
char *pc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Overwrite then free a secret (NULL is a no-op). */
void pc_free_secret(char *s);

#endif
