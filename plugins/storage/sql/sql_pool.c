/* SPDX-License-Identifier: Apache-2.0 */
/* A fixed-size pool of driver connections, opened lazily, shared by all threads. */
#include "sql_pool.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sql_pool {
    const sql_driver *drv;
    char *uri;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned size;
    unsigned opened;
    unsigned nidle;
    sql_conn **idle;
    const pc_host *host; /* for the metrics, when it offers them (sql_pool_observe) */
};

void sql_pool_observe(sql_pool *p, const pc_host *host)
{
    if (host != NULL && host->struct_size >= offsetof(pc_host, metric_observe) + sizeof(void *) &&
        host->metric_inc != NULL && host->metric_gauge != NULL && host->metric_observe != NULL)
        p->host = host;
}

/* The pool's occupancy for the metrics; called with the lock held. */
static void report(const sql_pool *p)
{
    if (p->host == NULL)
        return;
    p->host->metric_gauge("store_pool_connections", "driver", p->drv->name, p->opened);
    p->host->metric_gauge("store_pool_in_use", "driver", p->drv->name, p->opened - p->nidle);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Every connection is lent out: wait for one, and say how long it took. */
static void wait_for_free(sql_pool *p)
{
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (p->nidle == 0 && p->opened >= p->size)
        pthread_cond_wait(&p->freed, &p->lock);
    if (p->host != NULL) {
        p->host->metric_inc("store_pool_waits", p->drv->name);
        p->host->metric_observe("store_pool_wait", "driver", p->drv->name, seconds_since(&t0));
    }
}

sql_pool *sql_pool_new(const sql_driver *drv, const char *uri, unsigned size)
{
    sql_pool *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    p->drv = drv;
    p->uri = strdup(uri);
    p->size = size ? size : 1;
    p->idle = calloc(p->size, sizeof *p->idle);
    if (p->uri == NULL || p->idle == NULL) {
        sql_pool_free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    return p;
}

void sql_pool_free(sql_pool *p)
{
    if (p == NULL)
        return;
    for (unsigned i = 0; i < p->nidle; i++)
        p->drv->disconnect(p->idle[i]);
    if (p->idle != NULL) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->freed);
    }
    free(p->idle);
    free(p->uri);
    free(p);
}

pc_status sql_pool_acquire(sql_pool *p, sql_conn **out, char *err, size_t errlen)
{
    pc_status rc;

    pthread_mutex_lock(&p->lock);
    if (p->nidle == 0 && p->opened >= p->size)
        wait_for_free(p);
    if (p->nidle > 0) {
        *out = p->idle[--p->nidle];
        report(p);
        pthread_mutex_unlock(&p->lock);
        return PC_OK;
    }
    p->opened++;
    report(p);
    pthread_mutex_unlock(&p->lock);
    /* Connect outside the lock: it may take a network round trip. */
    rc = p->drv->connect(p->uri, out, err, errlen);
    if (rc != PC_OK) {
        pthread_mutex_lock(&p->lock);
        p->opened--;
        report(p);
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->lock);
    }
    return rc;
}

void sql_pool_release(sql_pool *p, sql_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->idle[p->nidle++] = c;
    report(p);
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}
