/* SPDX-License-Identifier: Apache-2.0 */
/* Memory for argon2id hashing: mapped buffers reused while busy, their pages given back when idle. */
#ifndef PC_UTIL_ARGON2_POOL_H
#define PC_UTIL_ARGON2_POOL_H
#include <stddef.h>
#include <stdint.h>

/** libargon2 allocate_cbk: a buffer of at least `bytes` from the pool (0, or -1 if none). */
int pc_argon2_pool_take(uint8_t **memory, size_t bytes);
/** libargon2 free_cbk: the buffer goes back to the pool. */
void pc_argon2_pool_give(uint8_t *memory, size_t bytes);
/** Release the pages of buffers unused for `idle_seconds` (they stay mapped for reuse). */
void pc_argon2_pool_trim(int64_t now, int64_t idle_seconds);
#endif
