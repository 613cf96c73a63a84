/* SPDX-License-Identifier: Apache-2.0 */
/* Failure throttling: fixed windows of failures per key, a progressive delay past a ceiling;
 * in memory, and in the store where it shares counters between nodes (PostgreSQL). */
#include "oauth2/throttle.h"
#include "server/store.h"
#include "util/crypto.h"

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

#define MAX_KEYS 100000
/* The longest progressive delay, seconds: past its ceiling an account allows a guess a minute. */
#define MAX_DELAY 60

static json_t *windows;    /* key -> [failures, window_start, last_failure] */
static int64_t last_purge; /* a full table is swept at most once a second */
static json_t *known;      /* key -> time of the last success */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void purge_expired(int64_t now, int64_t window)
{
    const char *key;
    json_t *v, *tmp;

    json_object_foreach_safe (windows, tmp, key, v) {
        if (json_integer_value(json_array_get(v, 1)) + window <= now)
            json_object_del(windows, key);
    }
}

/*
 * Keep the table under MAX_KEYS without a full sweep per failure: sweep at
 * most once a second, and when live windows still fill it, drop one (the
 * table's first). Lock held.
 */
static void make_room(int64_t now, int64_t window)
{
    void *it;

    if (json_object_size(windows) < MAX_KEYS)
        return;
    if (now != last_purge) {
        last_purge = now;
        purge_expired(now, window);
    }
    if (json_object_size(windows) >= MAX_KEYS && (it = json_object_iter(windows)) != NULL)
        json_object_del(windows, json_object_iter_key(it));
}

/* The live window of key, or NULL. Lock held. */
static json_t *window_of(const char *key, int64_t now, int64_t window)
{
    json_t *v;

    if (windows == NULL)
        windows = json_object();
    v = json_object_get(windows, key);
    if (v != NULL && json_integer_value(json_array_get(v, 1)) + window <= now) {
        json_object_del(windows, key);
        v = NULL;
    }
    return v;
}

/* The memory window of key in *w (zero when none), after counting a failure if `add`. */
static void memory_window(const char *key, int add, int64_t now, int64_t window,
                          pc_failure_window *w)
{
    json_t *v;

    pthread_mutex_lock(&lock);
    v = window_of(key, now, window);
    if (v == NULL && add) {
        make_room(now, window);
        v = json_pack("[I,I,I]", (json_int_t)0, (json_int_t)now, (json_int_t)now);
        json_object_set_new(windows, key, v);
    }
    if (v != NULL && add) {
        json_array_set_new(v, 0, json_integer(json_integer_value(json_array_get(v, 0)) + 1));
        json_array_set_new(v, 2, json_integer(now));
    }
    w->failures = v ? json_integer_value(json_array_get(v, 0)) : 0;
    w->window_start = v ? json_integer_value(json_array_get(v, 1)) : now;
    w->last_failure = v ? json_integer_value(json_array_get(v, 2)) : 0;
    pthread_mutex_unlock(&lock);
}

/* Does the store keep counters that every node shares (PostgreSQL)? */
static int shared(void)
{
    const pc_storage_ops *ops = pc_srv->store.ops;

    return ops != NULL &&
           ops->base.struct_size >= offsetof(pc_storage_ops, failure_purge) + sizeof(void *) &&
           ops->failure_add != NULL && ops->failure_get != NULL && ops->failure_clear != NULL;
}

/*
 * The window of key, counting a failure first if `add`. Each node keeps its own
 * count too: where the store shares counters its answer wins, and when the store
 * cannot answer the node's own count still limits (a store failure never locks
 * anyone out, nor lets the node forget what it saw). Keys reach the store hashed:
 * they hold usernames and addresses.
 */
static void current_window(const char *key, int add, pc_failure_window *w)
{
    int64_t now = pc_now(), window = pc_srv->cfg.limit_window;
    pc_failure_window sw;
    char *hashed;
    pc_status rc;

    memory_window(key, add, now, window, w);
    if (!shared() || (hashed = pc_sha256_hex(key)) == NULL)
        return;
    rc = add ? PC_DB->failure_add(PC_DBS, hashed, now, window, &sw)
             : PC_DB->failure_get(PC_DBS, hashed, now, window, &sw);
    free(hashed);
    if (rc == PC_OK)
        *w = sw;
    else if (rc == PC_ERR_NOT_FOUND)
        *w = (pc_failure_window){0, now, 0};
}

pc_status pc_throttle_check(const char *key, int64_t limit, int64_t *retry_after)
{
    pc_failure_window w;

    current_window(key, 0, &w);
    if (w.failures < limit)
        return PC_OK;
    *retry_after = w.window_start + pc_srv->cfg.limit_window - pc_now();
    if (*retry_after < 1)
        *retry_after = 1;
    return PC_ERR_LIMIT;
}

int pc_throttle_fail(const char *key, int64_t limit)
{
    pc_failure_window w;

    current_window(key, 1, &w);
    return w.failures == limit;
}

void pc_throttle_clear(const char *key)
{
    char *hashed;

    pthread_mutex_lock(&lock);
    if (windows != NULL)
        json_object_del(windows, key);
    pthread_mutex_unlock(&lock);
    if (shared() && (hashed = pc_sha256_hex(key)) != NULL) {
        PC_DB->failure_clear(PC_DBS, hashed);
        free(hashed);
    }
}

void pc_throttle_purge(int64_t now)
{
    if (shared() && PC_DB->failure_purge != NULL)
        PC_DB->failure_purge(PC_DBS, now - pc_srv->cfg.limit_window);
}

/* 1, 2, 4 … MAX_DELAY seconds for the first, second, third … failure past the ceiling. */
static int64_t delay_after(int64_t over)
{
    return over >= 6 ? MAX_DELAY : (int64_t)1 << over;
}

pc_status pc_throttle_check_slow(const char *key, int64_t ceiling, int64_t *retry_after)
{
    pc_failure_window w;
    int64_t wait;

    current_window(key, 0, &w);
    if (w.failures < ceiling)
        return PC_OK;
    wait = w.last_failure + delay_after(w.failures - ceiling) - pc_now();
    if (wait <= 0)
        return PC_OK;
    *retry_after = wait;
    return PC_ERR_LIMIT;
}

void pc_throttle_remember(const char *key)
{
    int64_t now = pc_now();
    const char *k;
    json_t *v, *tmp;

    pthread_mutex_lock(&lock);
    if (known == NULL)
        known = json_object();
    if (json_object_size(known) >= MAX_KEYS) {
        json_object_foreach_safe (known, tmp, k, v)
            if (json_integer_value(v) + PC_THROTTLE_KNOWN_FOR <= now)
                json_object_del(known, k);
    }
    if (json_object_size(known) < MAX_KEYS)
        json_object_set_new(known, key, json_integer(now));
    pthread_mutex_unlock(&lock);
}

int pc_throttle_known(const char *key)
{
    json_t *v;
    int yes;

    pthread_mutex_lock(&lock);
    v = known ? json_object_get(known, key) : NULL;
    yes = v != NULL && json_integer_value(v) + PC_THROTTLE_KNOWN_FOR > pc_now();
    pthread_mutex_unlock(&lock);
    return yes;
}
