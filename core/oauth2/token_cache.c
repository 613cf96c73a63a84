/* SPDX-License-Identifier: Apache-2.0 */
/* Verified access tokens remembered by a hash of the token: bounded in bytes, expiring with the token. */
#include "oauth2/token_cache.h"
#include "server/server.h"
#include "util/bcache.h"
#include "util/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_BYTES (16u << 20)

static pc_bcache *cache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Created on first use, bounded by token_cache_bytes (the default without a server: unit tests). */
static pc_bcache *the_cache(void)
{
    pc_bcache *c = __atomic_load_n(&cache, __ATOMIC_ACQUIRE);

    if (c != NULL)
        return c;
    pthread_mutex_lock(&cache_lock);
    if (cache == NULL)
        __atomic_store_n(&cache,
                         pc_bcache_new("token", pc_srv ? (size_t)pc_srv->cfg.token_cache_bytes
                                                       : (size_t)DEFAULT_BYTES),
                         __ATOMIC_RELEASE);
    c = cache;
    pthread_mutex_unlock(&cache_lock);
    return c;
}

/* The key hashes the whole token, so a token altered anywhere is another key. */
static void key_of(const char *tenant_id, const char *jwt, char key[64 + 40])
{
    uint8_t h[32];

    pc_sha256(jwt, strlen(jwt), h);
    snprintf(key, 64 + 40, "%.36s/", tenant_id);
    for (int i = 0; i < 16; i++)
        snprintf(key + strlen(key), 3, "%02x", h[i]);
}

json_t *pc_token_cache_get(const char *tenant_id, const char *jwt, int64_t now)
{
    char key[104];

    key_of(tenant_id, jwt, key);
    return pc_bcache_get(the_cache(), key, now);
}

void pc_token_cache_put(const char *tenant_id, const char *jwt, json_t *claims)
{
    char key[104];

    key_of(tenant_id, jwt, key);
    pc_bcache_put(the_cache(), key, claims, json_integer_value(json_object_get(claims, "exp")),
                  pc_now());
}

void pc_token_cache_start(void)
{
    the_cache();
}

void pc_token_cache_stats(size_t *entries, size_t *bytes)
{
    size_t max;

    pc_bcache_stats(the_cache(), entries, bytes, &max);
}

void pc_token_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    pc_bcache_free(cache);
    __atomic_store_n(&cache, NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&cache_lock);
}
