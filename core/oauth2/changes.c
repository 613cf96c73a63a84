/* SPDX-License-Identifier: Apache-2.0 */
/* Revocations and cache invalidations replayed from the store's change feed. */
#include "oauth2/changes.h"
#include "iam/tenant.h"
#include "oauth2/throttle.h"
#include "oauth2/token_cache.h"
#include "server/metrics.h"
#include "server/store.h"
#include "util/argon2_pool.h"
#include "util/bcache.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BATCH 256
#define MAX_LISTENERS 8
#define PURGE_EVERY 60
#define TRIM_EVERY 10
/* Entries stay in the store a while past expiry so that a slow node still reads them. */
#define STORE_GRACE 3600

/* "jti:<jti>", "sid:<sid>", "grant:<id>", "client:<tenant>:<id>" -> [at, expires_at] */
static json_t *revoked;
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_seq;
static pc_change_listener listeners[MAX_LISTENERS];
static int nlisteners;
static pthread_t poller;
static int running;
/* The outcome of the last reading of the feed, and when one last succeeded (monotonic ms). */
static int last_sync_failed;
static int64_t last_sync_ok_ms;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;

void pc_changes_listen(pc_change_listener fn)
{
    if (nlisteners < MAX_LISTENERS)
        listeners[nlisteners++] = fn;
}

static int is_revocation(const char *kind)
{
    return strcmp(kind, "jti") == 0 || strcmp(kind, "sid") == 0 || strcmp(kind, "grant") == 0 ||
           strcmp(kind, "client") == 0 || strcmp(kind, "user") == 0 ||
           strcmp(kind, "member") == 0 || strcmp(kind, "consent") == 0;
}

static void revocation_key(char *buf, size_t len, const char *kind, const char *tenant_id,
                           const char *key)
{
    if (strcmp(kind, "client") == 0 || strcmp(kind, "user") == 0 || strcmp(kind, "member") == 0 ||
        strcmp(kind, "consent") == 0)
        snprintf(buf, len, "%s:%s:%s", kind, tenant_id, key);
    else
        snprintf(buf, len, "%s:%s", kind, key);
}

static void apply(const pc_change *c)
{
    char key[200];

    /* Every entry reaches the listeners: a revoked client also leaves caches. */
    for (int i = 0; i < nlisteners; i++)
        listeners[i](c);
    if (!is_revocation(c->kind))
        return;
    if (c->expires_at < pc_now())
        return;
    revocation_key(key, sizeof key, c->kind, c->tenant_id, c->key);
    pthread_rwlock_wrlock(&lock);
    json_object_set_new(revoked, key,
                        json_pack("[I,I]", (json_int_t)c->at, (json_int_t)c->expires_at));
    pthread_rwlock_unlock(&lock);
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pc_changes_sync(void)
{
    pc_change buf[BATCH];
    size_t n;
    int failed = 0;

    pthread_mutex_lock(&sync_lock);
    do {
        if (PC_DB->change_since(PC_DBS, last_seq, buf, BATCH, &n) != PC_OK) {
            failed = 1;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            apply(&buf[i]);
            __atomic_store_n(&last_seq, buf[i].seq, __ATOMIC_RELEASE);
        }
    } while (n == BATCH);
    __atomic_store_n(&last_sync_failed, failed, __ATOMIC_RELEASE);
    if (!failed)
        __atomic_store_n(&last_sync_ok_ms, monotonic_ms(), __ATOMIC_RELEASE);
    pthread_mutex_unlock(&sync_lock);
}

int pc_changes_fresh(void)
{
    /* Three poll intervals and a second of slack: a slow reading is not an outage. */
    int64_t bound = 3 * (int64_t)pc_srv->cfg.change_poll_ms + 1000;
    int following;

    if (__atomic_load_n(&last_sync_failed, __ATOMIC_ACQUIRE))
        return 0;
    pthread_mutex_lock(&stop_lock);
    following = running;
    pthread_mutex_unlock(&stop_lock);
    return !following ||
           monotonic_ms() - __atomic_load_n(&last_sync_ok_ms, __ATOMIC_ACQUIRE) <= bound;
}

/* How far behind this node may be: the age of its last good reading, and where it stands. */
static char *feed_metrics(void)
{
    int64_t ok = __atomic_load_n(&last_sync_ok_ms, __ATOMIC_ACQUIRE);
    int64_t seq = __atomic_load_n(&last_seq, __ATOMIC_ACQUIRE);

    return pc_asprintf(
        "# HELP portcullis_change_feed_age_seconds Seconds since this node last read "
        "the change feed (revocations, invalidations) successfully.\n"
        "# TYPE portcullis_change_feed_age_seconds gauge\n"
        "portcullis_change_feed_age_seconds %.3f\n"
        "# HELP portcullis_change_feed_position The sequence number of the last "
        "change-feed entry this node applied.\n"
        "# TYPE portcullis_change_feed_position gauge\n"
        "portcullis_change_feed_position %lld\n",
        (double)(monotonic_ms() - ok) / 1000.0, (long long)seq);
}

static void purge_memory(int64_t now)
{
    const char *key;
    json_t *v, *tmp;

    pthread_rwlock_wrlock(&lock);
    json_object_foreach_safe (revoked, tmp, key, v) {
        if (json_integer_value(json_array_get(v, 1)) < now)
            json_object_del(revoked, key);
    }
    pthread_rwlock_unlock(&lock);
}

/* Sleep until the next poll, or until the stop signal. Returns 0 when stopping. */
static int sleep_until_poll(long ms)
{
    struct timespec ts;
    int go_on;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&stop_lock);
    if (running)
        pthread_cond_timedwait(&stop_cond, &stop_lock, &ts);
    go_on = running;
    pthread_mutex_unlock(&stop_lock);
    return go_on;
}

/*
 * Wait for the next reading of the feed: woken by another node's announcement
 * where the store can announce (PostgreSQL LISTEN/NOTIFY), else after the poll
 * interval. Either way the feed is read at least once per interval.
 */
static int wait_for_changes(long ms)
{
    pc_status rc = PC_DB->change_wait ? PC_DB->change_wait(PC_DBS, (int)ms) : PC_ERR_UNAVAILABLE;
    int go_on;

    /* No announcements from this store (or the listener failed): poll. */
    if (rc != PC_OK && rc != PC_DECLINED)
        return sleep_until_poll(ms);
    pthread_mutex_lock(&stop_lock);
    go_on = running;
    pthread_mutex_unlock(&stop_lock);
    return go_on;
}

static void purge(int64_t now)
{
    purge_memory(now);
    PC_DB->change_purge(PC_DBS, now - STORE_GRACE);
    pc_throttle_purge(now);
    /* Retention: old audit events go; what has expired has no further use. */
    PC_DB->expire(PC_DBS, PC_ENT_AUDIT, "time", now - pc_srv->cfg.audit_retention_days * 86400);
    PC_DB->expire(PC_DBS, PC_ENT_REFRESH, "expires_at", now - STORE_GRACE);
    PC_DB->expire(PC_DBS, PC_ENT_CODE, "expires_at", now - STORE_GRACE);
    PC_DB->expire(PC_DBS, PC_ENT_MFA_TOKEN, "expires_at", now - STORE_GRACE);
    /* A session outlives its expiry by the grace, so sessions listed and ended stay visible a while. */
    PC_DB->expire(PC_DBS, PC_ENT_SESSION, "expires_at", now - STORE_GRACE);
}

/* Once in a while an idle server gives memory back: expired cache entries
 * (not only those looked up again), argon2id's buffers, the heap's free pages. */
static void trim_memory(void)
{
    pc_bcache_sweep_all(pc_now());
    pc_tenants_sweep(pc_now());
    pc_argon2_pool_trim(pc_now(), TRIM_EVERY);
    malloc_trim(0);
}

static void *poll_loop(void *arg)
{
    int64_t last_purge = pc_now(), last_trim = last_purge;
    long ms = (long)pc_srv->cfg.change_poll_ms;

    (void)arg;
    while (wait_for_changes(ms)) {
        pc_changes_sync();
        if (pc_now() - last_trim >= TRIM_EVERY) {
            last_trim = pc_now();
            trim_memory();
        }
        if (pc_now() - last_purge >= PURGE_EVERY) {
            last_purge = pc_now();
            purge(last_purge);
        }
    }
    return NULL;
}

pc_status pc_changes_start(void)
{
    if (revoked == NULL)
        revoked = json_object();
    /* The caches this thread sweeps exist from the start (and show in /metrics). */
    pc_token_cache_start();
    static int reported;

    pc_changes_sync();
    if (!reported++)
        pc_metrics_add_source(feed_metrics);
    running = 1;
    if (pthread_create(&poller, NULL, poll_loop, NULL) != 0) {
        running = 0;
        return PC_ERR_INTERNAL;
    }
    return PC_OK;
}

void pc_changes_stop(void)
{
    if (running) {
        pthread_mutex_lock(&stop_lock);
        running = 0;
        pthread_cond_signal(&stop_cond);
        pthread_mutex_unlock(&stop_lock);
        pthread_join(poller, NULL);
    }
    json_decref(revoked);
    revoked = NULL;
}

pc_status pc_change_write(pc_store_tx *tx, const char *tenant_id, const char *kind, const char *key,
                          int64_t expires_at)
{
    pc_change c = {.seq = 0, .at = pc_now(), .expires_at = expires_at};

    snprintf(c.tenant_id, sizeof c.tenant_id, "%s", tenant_id);
    snprintf(c.kind, sizeof c.kind, "%s", kind);
    snprintf(c.key, sizeof c.key, "%s", key);
    return PC_DB->change_add(PC_DBS, tx, &c);
}

static int lookup(const char *key, int64_t *at)
{
    json_t *v;
    int found;

    pthread_rwlock_rdlock(&lock);
    v = revoked ? json_object_get(revoked, key) : NULL;
    found = v != NULL;
    if (found && at != NULL)
        *at = json_integer_value(json_array_get(v, 0));
    pthread_rwlock_unlock(&lock);
    return found;
}

int pc_changes_sid_ended(const char *sid)
{
    char key[200];

    snprintf(key, sizeof key, "sid:%s", sid);
    return lookup(key, NULL);
}

int pc_changes_is_revoked(const char *tenant_id, const char *jti, const char *sid,
                          const char *grant_id, const char *client_id, int64_t iat)
{
    char key[200];
    int64_t at;

    if (jti != NULL) {
        snprintf(key, sizeof key, "jti:%s", jti);
        if (lookup(key, NULL))
            return 1;
    }
    if (grant_id != NULL) {
        snprintf(key, sizeof key, "grant:%s", grant_id);
        if (lookup(key, NULL))
            return 1;
    }
    if (sid != NULL && pc_changes_sid_ended(sid))
        return 1;
    if (client_id != NULL) {
        revocation_key(key, sizeof key, "client", tenant_id, client_id);
        /* A client entry cuts every token issued up to that second. */
        if (lookup(key, &at) && iat <= at)
            return 1;
    }
    return 0;
}

int pc_changes_user_cut(const char *tenant_id, const char *user_id, int64_t iat)
{
    char key[200];
    int64_t at;

    if (user_id == NULL)
        return 0;
    revocation_key(key, sizeof key, "user", tenant_id, user_id);
    /* Like a client entry: every token of the user issued up to that second. */
    return lookup(key, &at) && iat <= at;
}

/* Was the entry `kind` of the pair "a:b" written at or after `iat`? */
static int pair_cut(const char *kind, const char *tenant_id, const char *a, const char *b,
                    int64_t iat)
{
    char key[200], pair[128];
    int64_t at;

    if (a == NULL || b == NULL)
        return 0;
    snprintf(pair, sizeof pair, "%s:%s", a, b);
    revocation_key(key, sizeof key, kind, tenant_id, pair);
    return lookup(key, &at) && iat <= at;
}

int pc_changes_member_cut(const char *tenant_id, const char *user_id, const char *org_id,
                          int64_t iat)
{
    /* API.md §18: a removed membership cuts the organization's tokens issued up to then. */
    return pair_cut("member", tenant_id, user_id, org_id, iat);
}

int pc_changes_consent_cut(const char *tenant_id, const char *user_id, const char *client_id,
                           int64_t iat)
{
    /* API.md §19: a withdrawn consent cuts what the client got of the user up to then. */
    return pair_cut("consent", tenant_id, user_id, client_id, iat);
}
