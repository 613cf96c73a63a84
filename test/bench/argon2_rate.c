/* SPDX-License-Identifier: Apache-2.0 */
/* Raw argon2id hash rate at Portcullis's cost: the physical limit of the password grant. */

/*
 * Usage: argon2_rate [SECONDS] [T_COST] [M_COST_KIB] [LANES]   (default 3 2 19456 1)
 *
 * On one thread and then on two, counts the argon2id hashes libargon2 computes
 * in a fixed window. Prints one line per measurement:
 *   argon2_rate T M P THREADS COUNT SECONDS RATE_PER_S
 */
#include <argon2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 2

struct worker {
    pthread_t tid;
    unsigned long count;
    int failed;
};

static atomic_int go;
static atomic_int ready;
static atomic_int stop;
static uint32_t t_cost = 2, m_cost = 19456, lanes = 1;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    static const char pwd[] = "Bench-Password-1";
    static const unsigned char salt[16] = "0123456789abcdef";
    unsigned char hash[32];

    /* Warm up outside the window: the first hash pays for page faults on fresh memory. */
    if (argon2id_hash_raw(t_cost, m_cost, lanes, pwd, sizeof pwd - 1, salt, sizeof salt, hash,
                          sizeof hash) != ARGON2_OK)
        w->failed = 1;
    atomic_fetch_add(&ready, 1);
    while (!atomic_load(&go))
        ;
    /* A hash started before the window closes is counted: the window is measured to its end. */
    while (!w->failed && !atomic_load_explicit(&stop, memory_order_relaxed)) {
        if (argon2id_hash_raw(t_cost, m_cost, lanes, pwd, sizeof pwd - 1, salt, sizeof salt, hash,
                              sizeof hash) != ARGON2_OK) {
            w->failed = 1;
            break;
        }
        w->count++;
    }
    return NULL;
}

static int measure(int nthreads, double window)
{
    struct worker w[MAX_THREADS];
    unsigned long total = 0;
    double t0, t1;
    int i, rc = 0;

    memset(w, 0, sizeof w);
    atomic_store(&go, 0);
    atomic_store(&stop, 0);
    atomic_store(&ready, 0);
    for (i = 0; i < nthreads; i++)
        pthread_create(&w[i].tid, NULL, work, &w[i]);
    while (atomic_load(&ready) < nthreads)
        ;
    t0 = now_s();
    atomic_store(&go, 1);
    {
        struct timespec d = {(time_t)window, (long)((window - (double)(time_t)window) * 1e9)};
        nanosleep(&d, NULL);
    }
    atomic_store(&stop, 1);
    for (i = 0; i < nthreads; i++) {
        pthread_join(w[i].tid, NULL);
        total += w[i].count;
        rc |= w[i].failed;
    }
    t1 = now_s();
    if (rc) {
        fprintf(stderr, "argon2_rate: hashing failed\n");
        return -1;
    }
    printf("argon2_rate %u %u %u %d %lu %.3f %.1f\n", t_cost, m_cost, lanes, nthreads, total,
           t1 - t0, (double)total / (t1 - t0));
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    double window = argc > 1 ? atof(argv[1]) : 3.0;
    int n, rc = 0;

    if (window <= 0 || window > 60)
        window = 3.0;
    if (argc > 2)
        t_cost = (uint32_t)strtoul(argv[2], NULL, 10);
    if (argc > 3)
        m_cost = (uint32_t)strtoul(argv[3], NULL, 10);
    if (argc > 4)
        lanes = (uint32_t)strtoul(argv[4], NULL, 10);
    for (n = 1; n <= MAX_THREADS; n++)
        if (measure(n, window) != 0)
            rc = 1;
    return rc;
}
