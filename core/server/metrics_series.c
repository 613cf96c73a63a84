/* SPDX-License-Identifier: Apache-2.0 */
/* Labelled gauges and duration histograms set by the core and by plugins (store pool, query latency). */
#include "server/metrics.h"
#include "server/metrics_text.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_SERIES 48
#define NAME_LEN 48
#define LABEL_LEN 40

static const double buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
#define NBUCKETS (sizeof buckets / sizeof *buckets)

typedef enum { GAUGE, HISTOGRAM } kind;

/* One series; once added it stays, so readers may scan up to `nseries` without the lock. */
typedef struct series {
    kind kind;
    char name[NAME_LEN], key[24], label[LABEL_LEN];
    double value; /* gauge */
    unsigned long hist[NBUCKETS], count;
    unsigned long micros;
} series;

static series all[MAX_SERIES];
static int nseries;
static pthread_mutex_t add_lock = PTHREAD_MUTEX_INITIALIZER;

static int same(const series *s, kind k, const char *name, const char *label)
{
    return s->kind == k && strcmp(s->name, name) == 0 && strcmp(s->label, label) == 0;
}

/* The series of this name and label, added on first use; NULL when the table is full. */
static series *lookup(kind k, const char *name, const char *key, const char *label)
{
    int n = __atomic_load_n(&nseries, __ATOMIC_ACQUIRE), i;
    series *s = NULL;

    label = label ? label : "";
    for (i = 0; i < n; i++)
        if (same(&all[i], k, name, label))
            return &all[i];
    pthread_mutex_lock(&add_lock);
    for (i = 0; i < nseries && !same(&all[i], k, name, label); i++)
        ;
    if (i < nseries) {
        s = &all[i];
    } else if (nseries < MAX_SERIES) {
        s = &all[nseries];
        s->kind = k;
        snprintf(s->name, sizeof s->name, "%s", name);
        snprintf(s->key, sizeof s->key, "%s", key ? key : "");
        snprintf(s->label, sizeof s->label, "%s", label);
        __atomic_store_n(&nseries, nseries + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&add_lock);
    return s;
}

void pc_metrics_gauge(const char *name, const char *key, const char *label, double value)
{
    series *s = lookup(GAUGE, name, key, label);

    if (s != NULL)
        __atomic_store(&s->value, &value, __ATOMIC_RELAXED);
}

void pc_metrics_observe(const char *name, const char *key, const char *label, double seconds)
{
    series *s = lookup(HISTOGRAM, name, key, label);

    if (s == NULL)
        return;
    for (size_t b = 0; b < NBUCKETS; b++)
        if (seconds <= buckets[b])
            __atomic_fetch_add(&s->hist[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->micros, (unsigned long)(seconds * 1e6), __ATOMIC_RELAXED);
}

/* What each family measures (the # HELP line). */
static const char *help_of(const char *name)
{
    static const struct {
        const char *name, *help;
    } known[] = {
        {"store_pool_connections", "Connections a store driver holds open, by driver."},
        {"store_pool_in_use", "Pooled store connections lent out right now, by driver."},
        {"store_pool_wait", "Time store calls waited for a pooled connection, by driver."},
        {"store_query_duration", "Time a store statement took, by statement kind."},
        {"change_feed_age", "Seconds since this node last read the change feed successfully."},
    };

    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(known[i].name, name) == 0)
            return known[i].help;
    return "Measured by a plugin or the server, by label.";
}

/* {key="label"} or nothing, and the same with `le` added for a bucket. */
static void labels(char *buf, size_t len, const series *s, const char *le)
{
    if (*s->key && le)
        snprintf(buf, len, "{%s=\"%s\",le=\"%s\"}", s->key, s->label, le);
    else if (*s->key)
        snprintf(buf, len, "{%s=\"%s\"}", s->key, s->label);
    else if (le)
        snprintf(buf, len, "{le=\"%s\"}", le);
    else
        buf[0] = '\0';
}

static void render_one(pc_mtext *o, const series *s)
{
    char l[160], le[24];
    const char *suffix = s->kind == HISTOGRAM ? "_seconds" : "";

    if (s->kind == GAUGE) {
        double v;
        __atomic_load(&s->value, &v, __ATOMIC_RELAXED);
        labels(l, sizeof l, s, NULL);
        pc_mtext_emit(o, "portcullis_%s%s %.6g\n", s->name, l, v);
        return;
    }
    for (size_t b = 0; b < NBUCKETS; b++) {
        snprintf(le, sizeof le, "%g", buckets[b]);
        labels(l, sizeof l, s, le);
        pc_mtext_emit(o, "portcullis_%s%s_bucket%s %lu\n", s->name, suffix, l, s->hist[b]);
    }
    labels(l, sizeof l, s, "+Inf");
    pc_mtext_emit(o, "portcullis_%s%s_bucket%s %lu\n", s->name, suffix, l, s->count);
    labels(l, sizeof l, s, NULL);
    pc_mtext_emit(o, "portcullis_%s%s_sum%s %.6f\n", s->name, suffix, l, (double)s->micros / 1e6);
    pc_mtext_emit(o, "portcullis_%s%s_count%s %lu\n", s->name, suffix, l, s->count);
}

void pc_metrics_series_render(pc_mtext *o)
{
    int n = __atomic_load_n(&nseries, __ATOMIC_ACQUIRE);

    /* each family once with its HELP and TYPE, then all its series */
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = !(all[j].kind == all[i].kind && strcmp(all[j].name, all[i].name) == 0);
        if (!first)
            continue;
        pc_mtext_emit(o, "# HELP portcullis_%s%s %s\n# TYPE portcullis_%s%s %s\n", all[i].name,
                      all[i].kind == HISTOGRAM ? "_seconds" : "", help_of(all[i].name), all[i].name,
                      all[i].kind == HISTOGRAM ? "_seconds" : "",
                      all[i].kind == HISTOGRAM ? "histogram" : "gauge");
        for (int j = i; j < n; j++)
            if (all[j].kind == all[i].kind && strcmp(all[j].name, all[i].name) == 0)
                render_one(o, &all[j]);
    }
}
