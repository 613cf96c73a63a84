/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus metrics kept in fixed arrays of atomic counters (no lock on the request path). */
#include "server/metrics.h"
#include "server/metrics_text.h"
#include "util/bcache.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 96
#define MAX_COUNTERS 64

static const unsigned statuses[] = {200, 201, 204, 302, 303, 400, 401, 403,
                                    404, 405, 409, 413, 429, 500, 503, 0};
#define NSTATUS (sizeof statuses / sizeof *statuses)
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS (sizeof buckets / sizeof *buckets)

typedef struct route_stats {
    const char *name;
    unsigned long by_status[NSTATUS];
    unsigned long hist[NBUCKETS];
    unsigned long count;
    unsigned long micros;
} route_stats;

typedef struct counter {
    char name[48];
    char key[24];
    char label[48];
    char key2[24]; /* "" for a counter of one label */
    char label2[48];
    unsigned long value;
} counter;

static route_stats routes[MAX_ROUTES];
static int nroutes;
static counter counters[MAX_COUNTERS];
static int ncounters;
static pthread_mutex_t counters_lock = PTHREAD_MUTEX_INITIALIZER;

int pc_metrics_route(const char *name)
{
    for (int i = 0; i < nroutes; i++)
        if (strcmp(routes[i].name, name) == 0)
            return i;
    if (nroutes >= MAX_ROUTES)
        return MAX_ROUTES - 1;
    routes[nroutes].name = name;
    return nroutes++;
}

static size_t status_index(unsigned status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUS - 1;
}

void pc_metrics_request(int route, unsigned status, double seconds)
{
    route_stats *r;

    if (route < 0 || route >= nroutes)
        return;
    r = &routes[route];
    __atomic_fetch_add(&r->by_status[status_index(status)], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->micros, (unsigned long)(seconds * 1e6), __ATOMIC_RELAXED);
    for (size_t b = 0; b < NBUCKETS; b++)
        if (seconds <= buckets[b])
            __atomic_fetch_add(&r->hist[b], 1, __ATOMIC_RELAXED);
}

void pc_metrics_count(const char *name, const char *key, const char *label)
{
    pc_metrics_count2(name, key, label, NULL, NULL);
}

void pc_metrics_count2(const char *name, const char *key, const char *label, const char *key2,
                       const char *label2)
{
    int i;

    label = label ? label : "";
    label2 = key2 && label2 ? label2 : "";
    pthread_mutex_lock(&counters_lock);
    for (i = 0; i < ncounters; i++)
        if (strcmp(counters[i].name, name) == 0 && strcmp(counters[i].label, label) == 0 &&
            strcmp(counters[i].label2, label2) == 0)
            break;
    if (i == ncounters && ncounters < MAX_COUNTERS) {
        snprintf(counters[i].name, sizeof counters[i].name, "%s", name);
        snprintf(counters[i].key, sizeof counters[i].key, "%s", key ? key : "label");
        snprintf(counters[i].label, sizeof counters[i].label, "%s", label);
        snprintf(counters[i].key2, sizeof counters[i].key2, "%s", key2 ? key2 : "");
        snprintf(counters[i].label2, sizeof counters[i].label2, "%s", label2);
        ncounters++;
    }
    if (i < MAX_COUNTERS)
        counters[i].value++;
    pthread_mutex_unlock(&counters_lock);
}

void pc_mtext_emit(pc_mtext *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->s == NULL) {
        o->cap = 4096;
        o->s = pc_malloc(o->cap);
        o->len = 0;
    }
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if ((size_t)n < o->cap - o->len)
            break;
        o->cap = o->cap * 2 + (size_t)n;
        o->s = pc_realloc(o->s, o->cap);
    }
    o->len += (size_t)n;
}

static void render_route(pc_mtext *o, const route_stats *r)
{
    for (size_t s = 0; s < NSTATUS; s++)
        if (r->by_status[s])
            pc_mtext_emit(o, "portcullis_http_requests_total{route=\"%s\",status=\"%u\"} %lu\n",
                          r->name, statuses[s], r->by_status[s]);
    for (size_t b = 0; b < NBUCKETS; b++)
        pc_mtext_emit(
            o, "portcullis_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
            r->name, buckets[b], r->hist[b]);
    pc_mtext_emit(o,
                  "portcullis_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                  r->name, r->count);
    pc_mtext_emit(o, "portcullis_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", r->name,
                  (double)r->micros / 1e6);
    pc_mtext_emit(o, "portcullis_http_request_duration_seconds_count{route=\"%s\"} %lu\n", r->name,
                  r->count);
}

static void render_lookups(const char *name, uint64_t hits, uint64_t misses, void *arg)
{
    pc_mtext *o = arg;

    pc_mtext_emit(o, "portcullis_cache_hits_total{cache=\"%s\"} %llu\n", name,
                  (unsigned long long)hits);
    pc_mtext_emit(o, "portcullis_cache_misses_total{cache=\"%s\"} %llu\n", name,
                  (unsigned long long)misses);
}

static void render_cache(const char *name, size_t entries, size_t bytes, size_t max_bytes,
                         void *arg)
{
    pc_mtext *o = arg;

    pc_mtext_emit(o, "portcullis_cache_entries{cache=\"%s\"} %zu\n", name, entries);
    pc_mtext_emit(o, "portcullis_cache_bytes{cache=\"%s\"} %zu\n", name, bytes);
    pc_mtext_emit(o, "portcullis_cache_max_bytes{cache=\"%s\"} %zu\n", name, max_bytes);
}

/* The in-memory caches (tokens, permissions, applications): how full each is. */
static void render_caches(pc_mtext *o)
{
    pc_mtext_emit(o,
                  "# HELP portcullis_cache_entries Entries held by an in-memory cache.\n"
                  "# TYPE portcullis_cache_entries gauge\n"
                  "# HELP portcullis_cache_bytes Estimated heap bytes held by an in-memory cache.\n"
                  "# TYPE portcullis_cache_bytes gauge\n"
                  "# HELP portcullis_cache_max_bytes The bound of an in-memory cache.\n"
                  "# TYPE portcullis_cache_max_bytes gauge\n");
    pc_bcache_each(render_cache, o);
    pc_mtext_emit(
        o, "# HELP portcullis_cache_hits_total Lookups that found a live entry in a cache.\n"
           "# TYPE portcullis_cache_hits_total counter\n"
           "# HELP portcullis_cache_misses_total Lookups that found no live entry in a cache.\n"
           "# TYPE portcullis_cache_misses_total counter\n");
    pc_bcache_each_lookups(render_lookups, o);
}

/* What each named counter counts (the # HELP line); others get a generic sentence. */
static const char *counter_help(const char *name)
{
    static const struct {
        const char *name, *help;
    } known[] = {
        {"tokens_issued", "Tokens issued, by grant type."},
        {"mfa_deliveries", "One-time codes handed to a message provider, by outcome."},
        {"login_successes", "Successful password checks at sign-in, by method."},
        {"login_failures", "Refused sign-ins, by reason (wrong_password, unknown_user, "
                           "no_password, throttled, store_error)."},
        {"mfa_verifications", "Second-factor codes checked, by method and outcome (success, "
                              "failure, error)."},
        {"store_pool_waits", "Store calls that waited for a free pooled connection, by driver."},
    };

    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(known[i].name, name) == 0)
            return known[i].help;
    return "Events counted by a plugin or the server, by label.";
}

/* Counters grouped by family, each family once with its HELP and TYPE (as Prometheus requires). */
static void render_counters(pc_mtext *o)
{
    pthread_mutex_lock(&counters_lock);
    for (int i = 0; i < ncounters; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = strcmp(counters[j].name, counters[i].name) != 0;
        if (!first)
            continue;
        pc_mtext_emit(o, "# HELP portcullis_%s_total %s\n# TYPE portcullis_%s_total counter\n",
                      counters[i].name, counter_help(counters[i].name), counters[i].name);
        for (int j = i; j < ncounters; j++)
            if (strcmp(counters[j].name, counters[i].name) == 0)
                pc_mtext_emit(o, "portcullis_%s_total{%s=\"%s\"%s%s%s%s%s} %lu\n", counters[j].name,
                              counters[j].key, counters[j].label, *counters[j].key2 ? "," : "",
                              counters[j].key2, *counters[j].key2 ? "=\"" : "", counters[j].label2,
                              *counters[j].key2 ? "\"" : "", counters[j].value);
    }
    pthread_mutex_unlock(&counters_lock);
}

#define MAX_SOURCES 8
static char *(*sources[MAX_SOURCES])(void);
static int nsources;

void pc_metrics_add_source(char *(*fn)(void))
{
    if (nsources < MAX_SOURCES)
        sources[nsources++] = fn;
}

static void render_sources(pc_mtext *o)
{
    for (int i = 0; i < nsources; i++) {
        char *text = sources[i]();
        if (text != NULL)
            pc_mtext_emit(o, "%s", text);
        free(text);
    }
}

char *pc_metrics_render(void)
{
    pc_mtext o = {NULL, 0, 0};
    char *proc;

    pc_mtext_emit(&o, "# HELP portcullis_http_requests_total HTTP requests by route and status.\n"
                      "# TYPE portcullis_http_requests_total counter\n"
                      "# HELP portcullis_http_request_duration_seconds Request latency by route.\n"
                      "# TYPE portcullis_http_request_duration_seconds histogram\n");
    for (int i = 0; i < nroutes; i++)
        render_route(&o, &routes[i]);
    render_counters(&o);
    render_caches(&o);
    pc_metrics_series_render(&o);
    proc = pc_metrics_process_render();
    pc_mtext_emit(&o, "%s", proc);
    free(proc);
    render_sources(&o);
    return o.s;
}
