/* SPDX-License-Identifier: Apache-2.0 */
/* Verified access tokens remembered by a hash of the token: sharded, bounded, expiring with the token. */
#include "oauth2/token_cache.h"
#include "server/server.h"
#include "util/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SHARDS 16
#define SHARD_MAX 8192 /* 131,072 tokens in all */

typedef struct shard {
    pthread_mutex_t lock;
    json_t *entries; /* key -> claims; exp is read from the claims */
} shard;

static shard shards[SHARDS] = {
#define S                               \
    {                                   \
        PTHREAD_MUTEX_INITIALIZER, NULL \
    }
    S, S, S, S, S, S, S, S, S,
    S, S, S, S, S, S, S
#undef S
};

/* The key hashes the whole token, so a token altered anywhere is another key. */
static shard *key_of(const char *tenant_id, const char *jwt, char key[64 + 40])
{
    uint8_t h[32];

    pc_sha256(jwt, strlen(jwt), h);
    snprintf(key, 64 + 40, "%.36s/", tenant_id);
    for (int i = 0; i < 16; i++)
        snprintf(key + strlen(key), 3, "%02x", h[i]);
    return &shards[h[31] % SHARDS];
}

static int64_t exp_of(const json_t *claims)
{
    return json_integer_value(json_object_get(claims, "exp"));
}

json_t *pc_token_cache_get(const char *tenant_id, const char *jwt, int64_t now)
{
    char key[104];
    shard *s = key_of(tenant_id, jwt, key);
    json_t *claims;

    pthread_mutex_lock(&s->lock);
    claims = s->entries ? json_object_get(s->entries, key) : NULL;
    if (claims != NULL && exp_of(claims) <= now) {
        json_object_del(s->entries, key);
        claims = NULL;
    }
    json_incref(claims);
    pthread_mutex_unlock(&s->lock);
    return claims;
}

/* Make room in a full shard: drop what expired, or everything if nothing did. Lock held. */
static void make_room(shard *s, int64_t now)
{
    const char *key;
    json_t *v, *tmp;

    json_object_foreach_safe (s->entries, tmp, key, v) {
        if (exp_of(v) <= now)
            json_object_del(s->entries, key);
    }
    if (json_object_size(s->entries) >= SHARD_MAX)
        json_object_clear(s->entries);
}

void pc_token_cache_put(const char *tenant_id, const char *jwt, json_t *claims)
{
    char key[104];
    shard *s = key_of(tenant_id, jwt, key);

    pthread_mutex_lock(&s->lock);
    if (s->entries == NULL)
        s->entries = json_object();
    if (json_object_size(s->entries) >= SHARD_MAX)
        make_room(s, pc_now());
    json_object_set(s->entries, key, claims);
    pthread_mutex_unlock(&s->lock);
}

void pc_token_cache_clear(void)
{
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&shards[i].lock);
        json_decref(shards[i].entries);
        shards[i].entries = NULL;
        pthread_mutex_unlock(&shards[i].lock);
    }
}
