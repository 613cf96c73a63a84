/* SPDX-License-Identifier: Apache-2.0 */
/* The tenants a process has loaded: two hash chains (slug, id), a use-ordered list, a byte budget. */
#include "iam/tenant_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096 /* a power of two */

typedef struct slot {
    pc_tenant *t;
    size_t bytes;
    struct slot *newer, *older; /* use order */
    struct slot *next_slug, *next_id;
} slot;

static slot *by_slug[BUCKETS], *by_id[BUCKETS];
static slot *newest, *oldest;
static size_t used, count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t bucket(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h & (BUCKETS - 1);
}

static slot **chain_of(slot *s, int id)
{
    slot **p = id ? &by_id[bucket(s->t->id)] : &by_slug[bucket(s->t->slug)];

    while (*p != s)
        p = id ? &(*p)->next_id : &(*p)->next_slug;
    return p;
}

static void unlink_use(slot *s)
{
    if (s->newer != NULL)
        s->newer->older = s->older;
    else
        newest = s->older;
    if (s->older != NULL)
        s->older->newer = s->newer;
    else
        oldest = s->newer;
    s->newer = s->older = NULL;
}

static void push_newest(slot *s)
{
    s->older = newest;
    if (newest != NULL)
        newest->newer = s;
    newest = s;
    if (oldest == NULL)
        oldest = s;
}

/* Remove s from every index and drop the cache's reference. Lock held. */
static void evict(slot *s)
{
    *chain_of(s, 0) = s->next_slug;
    *chain_of(s, 1) = s->next_id;
    unlink_use(s);
    used -= s->bytes;
    count--;
    pc_tenant_release(s->t);
    free(s);
}

static slot *lookup(const char *field, const char *value)
{
    int id = strcmp(field, "id") == 0;
    slot *s = id ? by_id[bucket(value)] : by_slug[bucket(value)];

    while (s != NULL && strcmp(id ? s->t->id : s->t->slug, value) != 0)
        s = id ? s->next_id : s->next_slug;
    return s;
}

pc_tenant *pc_tenant_cache_find(const char *field, const char *value, int64_t fresh_since)
{
    pc_tenant *t = NULL;
    slot *s;

    pthread_mutex_lock(&lock);
    s = lookup(field, value);
    if (s != NULL && s->t->loaded_at < fresh_since) {
        evict(s);
        s = NULL;
    }
    if (s != NULL) {
        unlink_use(s);
        push_newest(s);
        t = s->t;
        __atomic_add_fetch(&t->refs, 1, __ATOMIC_ACQ_REL);
    }
    pthread_mutex_unlock(&lock);
    return t;
}

void pc_tenant_cache_put(pc_tenant *t, size_t bytes, size_t budget)
{
    slot *s, *old;

    if (bytes > budget / 4 || (s = calloc(1, sizeof *s)) == NULL)
        return; /* bigger than its share: served, not kept */
    s->t = t;
    s->bytes = bytes;
    pthread_mutex_lock(&lock);
    if ((old = lookup("id", t->id)) != NULL)
        evict(old);
    while (oldest != NULL && used + bytes > budget)
        evict(oldest);
    __atomic_add_fetch(&t->refs, 1, __ATOMIC_ACQ_REL);
    s->next_slug = by_slug[bucket(t->slug)];
    by_slug[bucket(t->slug)] = s;
    s->next_id = by_id[bucket(t->id)];
    by_id[bucket(t->id)] = s;
    push_newest(s);
    used += bytes;
    count++;
    pthread_mutex_unlock(&lock);
}

void pc_tenant_cache_drop(const char *id)
{
    slot *s;

    pthread_mutex_lock(&lock);
    if ((s = lookup("id", id)) != NULL)
        evict(s);
    pthread_mutex_unlock(&lock);
}

void pc_tenant_cache_sweep(int64_t fresh_since)
{
    slot *s, *newer;

    pthread_mutex_lock(&lock);
    for (s = oldest; s != NULL; s = newer) {
        newer = s->newer;
        if (s->t->loaded_at < fresh_since)
            evict(s);
    }
    pthread_mutex_unlock(&lock);
}

void pc_tenant_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    while (oldest != NULL)
        evict(oldest);
    pthread_mutex_unlock(&lock);
}

void pc_tenant_cache_stats(size_t *entries, size_t *bytes)
{
    pthread_mutex_lock(&lock);
    *entries = count;
    *bytes = used;
    pthread_mutex_unlock(&lock);
}
