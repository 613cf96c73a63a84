/* SPDX-License-Identifier: Apache-2.0 */
/* Raw argon2id hash rate at Portcullis's cost: the physical limit of the password grant. */

/*
 * Usage: argon2_rate [SECONDS] [T_COST] [M_COST_KIB] [LANES]   (default 3 2 19456 1)
 *
 * On one thread and then on two, counts the argon2id hashes libargon2 computes
 * in a fixed window. Prints one line per measurement:
 *   argon2_rate T M P THREADS COUNT SECONDS RATE_PER_S
 */
#include "rate_window.h"

#include <argon2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t t_cost = 2, m_cost = 19456, lanes = 1;

static int hash_once(void *arg)
{
    static const char pwd[] = "Bench-Password-1";
    static const unsigned char salt[16] = "0123456789abcdef";
    unsigned char hash[32];

    (void)arg;
    return argon2id_hash_raw(t_cost, m_cost, lanes, pwd, sizeof pwd - 1, salt, sizeof salt, hash,
                             sizeof hash) == ARGON2_OK
               ? 0
               : -1;
}

static int measure(int nthreads, double window)
{
    void *args[MAX_THREADS] = {NULL};
    unsigned long total;
    double seconds;

    if (rate_measure(hash_once, 1, args, nthreads, window, &total, &seconds) != 0) {
        fprintf(stderr, "argon2_rate: hashing failed\n");
        return -1;
    }
    printf("argon2_rate %u %u %u %d %lu %.3f %.1f\n", t_cost, m_cost, lanes, nthreads, total,
           seconds, (double)total / seconds);
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
