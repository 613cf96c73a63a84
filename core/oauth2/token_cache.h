/* SPDX-License-Identifier: Apache-2.0 */
/* Verified access tokens remembered by a hash of the token, so a signature is checked once, not per request. */
#ifndef PC_OAUTH2_TOKEN_CACHE_H
#define PC_OAUTH2_TOKEN_CACHE_H
#include <jansson.h>
#include <stdint.h>

/**
 * The claims of a token of `tenant_id` verified before and not expired at
 * `now` (a new reference), or NULL. Revocation is not the cache's business:
 * the caller checks it on every use.
 */
json_t *pc_token_cache_get(const char *tenant_id, const char *jwt, int64_t now);
/** Remember verified claims (borrowed; a reference is kept) until their exp. */
void pc_token_cache_put(const char *tenant_id, const char *jwt, json_t *claims);
/** Forget everything (tests, shutdown). */
void pc_token_cache_clear(void);
#endif
