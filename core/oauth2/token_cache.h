/* SPDX-License-Identifier: Apache-2.0 */
/* Verified access tokens remembered by a hash of the token, so a signature is checked once, not per request. */
#ifndef PC_OAUTH2_TOKEN_CACHE_H
#define PC_OAUTH2_TOKEN_CACHE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/**
 * The claims of a token of `tenant_id` verified before and not expired at
 * `now` (a new reference), or NULL. Revocation is not the cache's business:
 * the caller checks it on every use.
 */
json_t *pc_token_cache_get(const char *tenant_id, const char *jwt, int64_t now);
/**
 * Remember verified claims (borrowed; a reference is kept) until their exp.
 * The cache holds at most token_cache_bytes: the least recently used go
 * first, and expired entries are swept (pc_bcache_sweep_all) without a lookup.
 */
void pc_token_cache_put(const char *tenant_id, const char *jwt, json_t *claims);
/** Create the cache now (so that /metrics shows it before the first token). */
void pc_token_cache_start(void);
/** Entries and bytes held now. */
void pc_token_cache_stats(size_t *entries, size_t *bytes);
/** Forget everything and the cache itself (tests, shutdown); the next use makes a new one. */
void pc_token_cache_clear(void);
#endif
