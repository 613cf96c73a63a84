/* SPDX-License-Identifier: Apache-2.0 */
/* A worker's sleep that a kick cuts short: outbox workers poll slowly and wake at once on news. */
#ifndef PC_UTIL_WAKER_H
#define PC_UTIL_WAKER_H
#include <pthread.h>

typedef struct pc_waker {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    unsigned kicks;
    int running;
} pc_waker;

#define PC_WAKER_INIT                                             \
    {                                                             \
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 \
    }

/** Wake every sleeper now (after committing rows a worker delivers). */
void pc_waker_kick(pc_waker *w);
/** Sleep up to `ms` or until kicked or stopped; 1 when a kick came since `*seen`. */
int pc_waker_idle(pc_waker *w, long ms, unsigned *seen);
/** Mark the workers running (before starting their threads) or not. */
void pc_waker_set_running(pc_waker *w, int running);
/** Stop: clear running and wake every sleeper so that it returns. */
void pc_waker_stop(pc_waker *w);
int pc_waker_running(pc_waker *w);
/*
 * An outbox worker's loop, until stopped: `deliver` sends one due row (1: sent, look again at
 * once; 0: none due; < 0: the store failed, back off) and `prune` (may be NULL) runs every ten
 * minutes. Idle, it looks every second; after a kick, every 20 ms for about half a second.
 */
void pc_waker_work(pc_waker *w, int (*deliver)(void), void (*prune)(void));
#endif
