/* SPDX-License-Identifier: Apache-2.0 */
/* What the rate benchmarks share: threads that warm up, start together and count one operation in a window. */
#ifndef PC_BENCH_RATE_WINDOW_H
#define PC_BENCH_RATE_WINDOW_H
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 2

/* One operation of the benchmark on a thread's own state; 0 when it worked. */
typedef int (*rate_op)(void *arg);

struct rate_worker {
    pthread_t tid;
    void *arg;
    unsigned long count;
    int failed;
};

static rate_op rate_do;
static int rate_warmups;
static atomic_int rate_go, rate_ready, rate_stop;

static double rate_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *rate_thread(void *p)
{
    struct rate_worker *w = p;

    /* Warm up outside the window: the first runs pay for page faults and lazy set-up. */
    for (int i = 0; i < rate_warmups && !w->failed; i++)
        w->failed = rate_do(w->arg) != 0;
    atomic_fetch_add(&rate_ready, 1);
    while (!atomic_load(&rate_go))
        ;
    /* An operation started before the window closes is counted: the window is measured to its end. */
    while (!w->failed && !atomic_load_explicit(&rate_stop, memory_order_relaxed)) {
        if (rate_do(w->arg) != 0) {
            w->failed = 1;
            break;
        }
        w->count++;
    }
    return NULL;
}

/*
 * Runs `op` on `nthreads` threads (thread i on args[i]) for `window` seconds, after `warmups`
 * untimed runs each: *total operations in *seconds. Nonzero when an operation failed.
 */
static int rate_measure(rate_op op, int warmups, void *const *args, int nthreads, double window,
                        unsigned long *total, double *seconds)
{
    struct rate_worker w[MAX_THREADS];
    struct timespec d = {(time_t)window, (long)((window - (double)(time_t)window) * 1e9)};
    double t0;
    int i, failed = 0;

    memset(w, 0, sizeof w);
    rate_do = op;
    rate_warmups = warmups;
    atomic_store(&rate_go, 0);
    atomic_store(&rate_stop, 0);
    atomic_store(&rate_ready, 0);
    for (i = 0; i < nthreads; i++) {
        w[i].arg = args[i];
        pthread_create(&w[i].tid, NULL, rate_thread, &w[i]);
    }
    while (atomic_load(&rate_ready) < nthreads)
        ;
    t0 = rate_now();
    atomic_store(&rate_go, 1);
    nanosleep(&d, NULL);
    atomic_store(&rate_stop, 1);
    *total = 0;
    for (i = 0; i < nthreads; i++) {
        pthread_join(w[i].tid, NULL);
        *total += w[i].count;
        failed |= w[i].failed;
    }
    *seconds = rate_now() - t0;
    return failed;
}
#endif
