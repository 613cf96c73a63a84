/* SPDX-License-Identifier: Apache-2.0 */
/* A worker's sleep that a kick cuts short (waker.h). */
#include "util/waker.h"

#include <errno.h>
#include <time.h>

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
