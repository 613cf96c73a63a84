/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory caches bounded in bytes: a chained hash table and an LRU list per shard, each under its mutex. */
#include "util/bcache.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS 16
#define MIN_BUCKETS 64
#define SWEEP_EVERY 1 /* seconds between the sweeps a put makes in one shard */

typedef struct entry {
    struct entry *chain;       /* next in the bucket */
    struct entry *prev, *next; /* LRU list: most recent at the head */
    uint64_t hash;
    int64_t expires_at;
    size_t bytes;
    json_t *value;
    char key[];
} entry;

typedef struct shard {
    pthread_mutex_t lock;
    entry **buckets;
    size_t nbuckets, count, bytes;
    entry *head, *tail;
    int64_t swept_at;
} shard;

struct pc_bcache {
    const char *name;
    size_t max_bytes;
    shard shards[SHARDS];
    pc_bcache *next_cache; /* the registry */
    uint64_t hits, misses; /* lookups, for the metrics (relaxed atomics) */
};

static pc_bcache *registry;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

/* What glibc's malloc takes for a request of n bytes: a header, 16-byte granules, 32 at least. */
static size_t alloc_size(size_t n)
{
    size_t chunk = (n + 8 + 15) & ~(size_t)15;

    return chunk < 32 ? 32 : chunk;
}

/* jansson 2.14 on LP64: json_t is 16 bytes, a pair 56 plus its key, strings keep their text apart. */
static size_t object_footprint(const json_t *v)
{
    size_t n = json_object_size(v), buckets = 8, total = alloc_size(72);
    const char *k;
    json_t *m;

    while (buckets < n)
        buckets *= 2;
    total += alloc_size(16 * buckets);
    json_object_foreach ((json_t *)v, k, m)
        total += alloc_size(56 + strlen(k) + 1) + pc_bcache_footprint(m);
    return total;
}

size_t pc_bcache_footprint(const json_t *v)
{
    size_t total, cap = 8, i;
    json_t *m;

    switch (json_typeof(v)) {
    case JSON_OBJECT: return object_footprint(v);
    case JSON_ARRAY:
        while (cap < json_array_size(v))
            cap *= 2;
        total = alloc_size(40) + alloc_size(8 * cap);
        json_array_foreach ((json_t *)v, i, m)
            total += pc_bcache_footprint(m);
        return total;
    case JSON_STRING: return alloc_size(32) + alloc_size(json_string_length(v) + 1);
    case JSON_INTEGER:
    case JSON_REAL: return alloc_size(24);
    default: return 0; /* true, false and null are shared singletons */
    }
}

static uint64_t hash_of(const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static shard *shard_of(pc_bcache *c, uint64_t h)
{
    return &c->shards[(h >> 59) % SHARDS];
}

pc_bcache *pc_bcache_new(const char *name, size_t max_bytes)
{
    pc_bcache *c = pc_calloc(1, sizeof *c);

    c->name = name;
    c->max_bytes = max_bytes;
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&c->shards[i].lock, NULL);
    pthread_mutex_lock(&registry_lock);
    c->next_cache = registry;
    registry = c;
    pthread_mutex_unlock(&registry_lock);
    return c;
}

/* The entry under key, or NULL; *link receives the slot pointing at it. Lock held. */
static entry *find(shard *s, const char *key, uint64_t h, entry ***link)
{
    entry **p;

    if (s->buckets == NULL)
        return NULL;
    for (p = &s->buckets[h & (s->nbuckets - 1)]; *p; p = &(*p)->chain)
        if ((*p)->hash == h && strcmp((*p)->key, key) == 0) {
            if (link)
                *link = p;
            return *p;
        }
    return NULL;
}

static void lru_unlink(shard *s, entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(shard *s, entry *e)
{
    e->prev = NULL;
    e->next = s->head;
    if (s->head)
        s->head->prev = e;
    s->head = e;
    if (s->tail == NULL)
        s->tail = e;
}

/* Take e out of the table and the list, and free it. Lock held. */
static void drop(shard *s, entry *e)
{
    entry **p = &s->buckets[e->hash & (s->nbuckets - 1)];

    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    lru_unlink(s, e);
    s->count--;
    s->bytes -= e->bytes;
    json_decref(e->value);
    free(e);
}

/* Double the table when it is as full as it is wide. Lock held. */
static void grow(shard *s)
{
    size_t n = s->nbuckets ? s->nbuckets * 2 : MIN_BUCKETS;
    entry **b;

    if (s->buckets != NULL && s->count < s->nbuckets)
        return;
    b = pc_calloc(n, sizeof *b);
    for (size_t i = 0; i < s->nbuckets; i++)
        for (entry *e = s->buckets[i], *next; e; e = next) {
            next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    /* The table counts against the bound like the entries. */
    s->bytes += alloc_size(n * sizeof *b) - (s->nbuckets ? alloc_size(s->nbuckets * sizeof *b) : 0);
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
}

json_t *pc_bcache_get(pc_bcache *c, const char *key, int64_t now)
{
    uint64_t h = hash_of(key);
    json_t *v = NULL;
    shard *s;
    entry *e;

    if (c == NULL)
        return NULL;
    s = shard_of(c, h);
    pthread_mutex_lock(&s->lock);
    e = find(s, key, h, NULL);
    if (e != NULL && e->expires_at <= now) {
        drop(s, e);
    } else if (e != NULL) {
        lru_unlink(s, e);
        lru_push(s, e);
        v = json_incref(e->value);
    }
    pthread_mutex_unlock(&s->lock);
    __atomic_fetch_add(v != NULL ? &c->hits : &c->misses, 1, __ATOMIC_RELAXED);
    return v;
}

static void sweep_shard(shard *s, int64_t now)
{
    for (entry *e = s->head, *next; e; e = next) {
        next = e->next;
        if (e->expires_at <= now)
            drop(s, e);
    }
    s->swept_at = now;
}

void pc_bcache_put(pc_bcache *c, const char *key, json_t *value, int64_t expires_at, int64_t now)
{
    uint64_t h = hash_of(key);
    size_t klen = strlen(key) + 1, bytes, share;
    shard *s;
    entry *e;

    if (c == NULL || expires_at <= now)
        return;
    s = shard_of(c, h);
    share = c->max_bytes / SHARDS;
    bytes = alloc_size(sizeof(entry) + klen) + pc_bcache_footprint(value);
    if (bytes > share)
        return;
    e = pc_malloc(sizeof(entry) + klen);
    memcpy(e->key, key, klen);
    e->hash = h;
    e->expires_at = expires_at;
    e->bytes = bytes;
    e->value = json_incref(value);
    pthread_mutex_lock(&s->lock);
    entry *old = find(s, key, h, NULL);
    if (old != NULL)
        drop(s, old);
    if (now - s->swept_at >= SWEEP_EVERY)
        sweep_shard(s, now);
    grow(s);
    while (s->tail != NULL && s->bytes + bytes > share)
        drop(s, s->tail);
    if (s->bytes + bytes > share) { /* the table alone fills the share */
        pthread_mutex_unlock(&s->lock);
        json_decref(e->value);
        free(e);
        return;
    }
    e->chain = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = e;
    lru_push(s, e);
    s->count++;
    s->bytes += bytes;
    pthread_mutex_unlock(&s->lock);
}

void pc_bcache_remove(pc_bcache *c, const char *key, int prefix)
{
    size_t n = strlen(key);

    if (c == NULL)
        return;
    if (!prefix) {
        uint64_t h = hash_of(key);
        shard *s = shard_of(c, h);
        pthread_mutex_lock(&s->lock);
        entry *e = find(s, key, h, NULL);
        if (e != NULL)
            drop(s, e);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &c->shards[i];
        pthread_mutex_lock(&s->lock);
        for (entry *e = s->head, *next; e; e = next) {
            next = e->next;
            if (strncmp(e->key, key, n) == 0)
                drop(s, e);
        }
        pthread_mutex_unlock(&s->lock);
    }
}

void pc_bcache_sweep(pc_bcache *c, int64_t now)
{
    for (int i = 0; c != NULL && i < SHARDS; i++) {
        pthread_mutex_lock(&c->shards[i].lock);
        sweep_shard(&c->shards[i], now);
        pthread_mutex_unlock(&c->shards[i].lock);
    }
}

void pc_bcache_clear(pc_bcache *c)
{
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &c->shards[i];
        pthread_mutex_lock(&s->lock);
        while (s->head != NULL)
            drop(s, s->head);
        if (s->buckets != NULL)
            s->bytes -= alloc_size(s->nbuckets * sizeof *s->buckets);
        free(s->buckets);
        s->buckets = NULL;
        s->nbuckets = 0;
        pthread_mutex_unlock(&s->lock);
    }
}

void pc_bcache_stats(pc_bcache *c, size_t *entries, size_t *bytes, size_t *max_bytes)
{
    size_t n = 0, b = 0;

    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&c->shards[i].lock);
        n += c->shards[i].count;
        b += c->shards[i].bytes;
        pthread_mutex_unlock(&c->shards[i].lock);
    }
    *entries = n;
    *bytes = b;
    *max_bytes = c->max_bytes;
}

void pc_bcache_free(pc_bcache *c)
{
    pc_bcache **p;

    if (c == NULL)
        return;
    pthread_mutex_lock(&registry_lock);
    for (p = &registry; *p && *p != c; p = &(*p)->next_cache)
        ;
    if (*p)
        *p = c->next_cache;
    pthread_mutex_unlock(&registry_lock);
    pc_bcache_clear(c);
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_destroy(&c->shards[i].lock);
    free(c);
}

void pc_bcache_each(void (*fn)(const char *name, size_t entries, size_t bytes, size_t max_bytes,
                               void *arg),
                    void *arg)
{
    size_t n, b, max;

    pthread_mutex_lock(&registry_lock);
    for (pc_bcache *c = registry; c; c = c->next_cache) {
        pc_bcache_stats(c, &n, &b, &max);
        fn(c->name, n, b, max, arg);
    }
    pthread_mutex_unlock(&registry_lock);
}

void pc_bcache_each_lookups(void (*fn)(const char *name, uint64_t hits, uint64_t misses, void *arg),
                            void *arg)
{
    pthread_mutex_lock(&registry_lock);
    for (pc_bcache *c = registry; c; c = c->next_cache)
        fn(c->name, __atomic_load_n(&c->hits, __ATOMIC_RELAXED),
           __atomic_load_n(&c->misses, __ATOMIC_RELAXED), arg);
    pthread_mutex_unlock(&registry_lock);
}

void pc_bcache_sweep_all(int64_t now)
{
    pthread_mutex_lock(&registry_lock);
    for (pc_bcache *c = registry; c; c = c->next_cache)
        pc_bcache_sweep(c, now);
    pthread_mutex_unlock(&registry_lock);
}
