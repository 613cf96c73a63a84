/* SPDX-License-Identifier: Apache-2.0 */
/* A fixed-size pool of driver connections, opened lazily, shared by all threads. */
#include "sql_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sql_pool {
    const sql_driver *drv;
    char *uri;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned size;
    unsigned opened;
    unsigned nidle;
    sql_conn **idle;
};

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
    while (p->nidle == 0 && p->opened >= p->size)
        pthread_cond_wait(&p->freed, &p->lock);
    if (p->nidle > 0) {
        *out = p->idle[--p->nidle];
        pthread_mutex_unlock(&p->lock);
        return PC_OK;
    }
    p->opened++;
    pthread_mutex_unlock(&p->lock);
    /* Connect outside the lock: it may take a network round trip. */
    rc = p->drv->connect(p->uri, out, err, errlen);
    if (rc != PC_OK) {
        pthread_mutex_lock(&p->lock);
        p->opened--;
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
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}
