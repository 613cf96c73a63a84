/* SPDX-License-Identifier: Apache-2.0 */
/* Failure throttling: fixed windows of failures per key, a progressive delay past a ceiling, in memory. */
#include "oauth2/throttle.h"
#include "server/server.h"

#include <jansson.h>
#include <pthread.h>

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

pc_status pc_throttle_check(const char *key, int64_t limit, int64_t *retry_after)
{
    int64_t now = pc_now(), window = pc_srv->cfg.limit_window;
    pc_status rc = PC_OK;
    json_t *v;

    pthread_mutex_lock(&lock);
    v = window_of(key, now, window);
    if (v != NULL && json_integer_value(json_array_get(v, 0)) >= limit) {
        *retry_after = json_integer_value(json_array_get(v, 1)) + window - now;
        rc = PC_ERR_LIMIT;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int pc_throttle_fail(const char *key, int64_t limit)
{
    int64_t now = pc_now(), window = pc_srv->cfg.limit_window, count;
    json_t *v;

    pthread_mutex_lock(&lock);
    v = window_of(key, now, window);
    if (v == NULL) {
        make_room(now, window);
        v = json_pack("[I,I,I]", (json_int_t)0, (json_int_t)now, (json_int_t)now);
        json_object_set_new(windows, key, v);
    }
    count = json_integer_value(json_array_get(v, 0)) + 1;
    json_array_set_new(v, 0, json_integer(count));
    json_array_set_new(v, 2, json_integer(now));
    pthread_mutex_unlock(&lock);
    return count == limit;
}

void pc_throttle_clear(const char *key)
{
    pthread_mutex_lock(&lock);
    if (windows != NULL)
        json_object_del(windows, key);
    pthread_mutex_unlock(&lock);
}

/* 1, 2, 4 … MAX_DELAY seconds for the first, second, third … failure past the ceiling. */
static int64_t delay_after(int64_t over)
{
    return over >= 6 ? MAX_DELAY : (int64_t)1 << over;
}

pc_status pc_throttle_check_slow(const char *key, int64_t ceiling, int64_t *retry_after)
{
    int64_t now = pc_now(), window = pc_srv->cfg.limit_window, count, wait;
    pc_status rc = PC_OK;
    json_t *v;

    pthread_mutex_lock(&lock);
    v = window_of(key, now, window);
    count = v ? json_integer_value(json_array_get(v, 0)) : 0;
    if (count >= ceiling) {
        wait = json_integer_value(json_array_get(v, 2)) + delay_after(count - ceiling) - now;
        if (wait > 0) {
            *retry_after = wait;
            rc = PC_ERR_LIMIT;
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
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
