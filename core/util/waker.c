/* SPDX-License-Identifier: Apache-2.0 */
/* A worker's sleep that a kick cuts short (waker.h). */
#include "util/waker.h"

#include <errno.h>
#include <time.h>

#define IDLE_MS 1000    /* how often an idle worker looks for due rows */
#define HOT_MS 20       /* after a kick: rows are committing right now */
#define HOT_POLLS 25    /* ... for about half a second */
#define PRUNE_EVERY 600 /* seconds */

void pc_waker_kick(pc_waker *w)
{
    pthread_mutex_lock(&w->lock);
    w->kicks++;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

int pc_waker_idle(pc_waker *w, long ms, unsigned *seen)
{
    struct timespec ts;
    int kicked;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->lock);
    while (w->running && w->kicks == *seen)
        if (pthread_cond_timedwait(&w->wake, &w->lock, &ts) == ETIMEDOUT)
            break;
    kicked = w->kicks != *seen;
    *seen = w->kicks;
    pthread_mutex_unlock(&w->lock);
    return kicked;
}

void pc_waker_set_running(pc_waker *w, int running)
{
    pthread_mutex_lock(&w->lock);
    w->running = running;
    pthread_mutex_unlock(&w->lock);
}

void pc_waker_stop(pc_waker *w)
{
    pthread_mutex_lock(&w->lock);
    w->running = 0;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

int pc_waker_running(pc_waker *w)
{
    int r;

    pthread_mutex_lock(&w->lock);
    r = w->running;
    pthread_mutex_unlock(&w->lock);
    return r;
}

static time_t monotonic_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

void pc_waker_work(pc_waker *w, int (*deliver)(void), void (*prune)(void))
{
    int hot = 0;
    unsigned seen = 0;
    time_t last_prune = monotonic_seconds() - PRUNE_EVERY;

    while (pc_waker_running(w)) {
        if (prune != NULL && monotonic_seconds() - last_prune >= PRUNE_EVERY) {
            last_prune = monotonic_seconds();
            prune();
        }
        switch (deliver()) {
        case 1: continue;
        case 0: break;
        default: hot = 0; break; /* the store is down: back off */
        }
        if (pc_waker_idle(w, hot > 0 ? HOT_MS : IDLE_MS, &seen))
            hot = HOT_POLLS;
        else if (hot > 0)
            hot--;
    }
}
