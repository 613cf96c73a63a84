/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory caches of JSON values bounded in bytes, expiring per entry, sharded, least recently used out first. */
#ifndef PC_UTIL_BCACHE_H
#define PC_UTIL_BCACHE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pc_bcache pc_bcache;

/**
 * A new cache named `name` (static string; shown in /metrics) that holds at
 * most `max_bytes` of entries, as counted by pc_bcache_footprint (0: holds
 * nothing). It is listed by pc_bcache_each until freed. Thread-safe.
 */
pc_bcache *pc_bcache_new(const char *name, size_t max_bytes);
/** Drop every entry and the cache itself; NULL is a no-op. */
void pc_bcache_free(pc_bcache *c);

/** The value under `key` if it has not expired at `now` (a new reference), or NULL. */
json_t *pc_bcache_get(pc_bcache *c, const char *key, int64_t now);
/**
 * Remember `value` (borrowed; a reference is kept) under `key` until
 * `expires_at`, replacing what was there. Least recently used entries leave
 * to keep the cache within its bound; one bigger than its share is not kept.
 */
void pc_bcache_put(pc_bcache *c, const char *key, json_t *value, int64_t expires_at, int64_t now);
/** Forget `key`; with `prefix` set, every key that starts with it. */
void pc_bcache_remove(pc_bcache *c, const char *key, int prefix);
/** Drop every entry expired at `now`. */
void pc_bcache_sweep(pc_bcache *c, int64_t now);
void pc_bcache_clear(pc_bcache *c);
/** Current entry count and bytes, and the bound. */
void pc_bcache_stats(pc_bcache *c, size_t *entries, size_t *bytes, size_t *max_bytes);

/** Call fn for every cache alive, under the registry's lock (fn must not create or free caches). */
void pc_bcache_each(void (*fn)(const char *name, size_t entries, size_t bytes, size_t max_bytes,
                               void *arg),
                    void *arg);
/** Call fn with the lookups of every cache alive that found (hits) or missed an entry. */
void pc_bcache_each_lookups(void (*fn)(const char *name, uint64_t hits, uint64_t misses, void *arg),
                            void *arg);
/** pc_bcache_sweep on every cache alive. */
void pc_bcache_sweep_all(int64_t now);

/** Heap bytes a JSON value holds (jansson's nodes and their allocator overhead), estimated from above. */
size_t pc_bcache_footprint(const json_t *v);
#endif
