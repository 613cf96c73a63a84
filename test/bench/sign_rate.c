/* SPDX-License-Identifier: Apache-2.0 */
/* Raw GnuTLS signing rate (ES256, RS256, EdDSA): the physical limit of a token endpoint. */

/*
 * Usage: sign_rate [SECONDS]   (default 3)
 *
 * For each algorithm, on one thread and then on two, counts how many JWS-sized
 * inputs GnuTLS signs in a fixed window. Each thread signs with its own key,
 * generated before the window opens. Prints one line per measurement:
 *   sign_rate ALG THREADS COUNT SECONDS RATE_PER_S
 */
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 2

struct alg {
    const char *name;
    gnutls_pk_algorithm_t pk;
    unsigned bits;
    gnutls_sign_algorithm_t sign;
};

static const struct alg algs[] = {
    {"ES256", GNUTLS_PK_ECDSA, 0, GNUTLS_SIGN_ECDSA_SECP256R1_SHA256},
    {"RS256", GNUTLS_PK_RSA, 2048, GNUTLS_SIGN_RSA_SHA256},
    {"EdDSA", GNUTLS_PK_EDDSA_ED25519, 0, GNUTLS_SIGN_EDDSA_ED25519},
};

struct worker {
    pthread_t tid;
    const struct alg *alg;
    gnutls_privkey_t key;
    unsigned long count;
    int failed;
};

static atomic_int go;
static atomic_int ready;
static atomic_int stop;

/* A signing input the size of a typical access token's header.payload (about 330 bytes). */
static unsigned char input[330];

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int make_key(const struct alg *a, gnutls_privkey_t *out)
{
    unsigned bits = a->bits;

    if (bits == 0)
        bits = GNUTLS_CURVE_TO_BITS(a->pk == GNUTLS_PK_ECDSA ? GNUTLS_ECC_CURVE_SECP256R1
                                                             : GNUTLS_ECC_CURVE_ED25519);
    if (gnutls_privkey_init(out) < 0)
        return -1;
    if (gnutls_privkey_generate2(*out, a->pk, bits, 0, NULL, 0) < 0) {
        gnutls_privkey_deinit(*out);
        return -1;
    }
    return 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    gnutls_datum_t data = {input, sizeof input};
    int i;

    /* Warm up outside the window: the first signatures pay for lazy set-up. */
    for (i = 0; i < 20; i++) {
        gnutls_datum_t sig = {NULL, 0};

        if (gnutls_privkey_sign_data2(w->key, w->alg->sign, 0, &data, &sig) < 0) {
            w->failed = 1;
            break;
        }
        gnutls_free(sig.data);
    }
    atomic_fetch_add(&ready, 1);
    while (!atomic_load(&go))
        ;
    while (!w->failed && !atomic_load_explicit(&stop, memory_order_relaxed)) {
        gnutls_datum_t sig = {NULL, 0};

        if (gnutls_privkey_sign_data2(w->key, w->alg->sign, 0, &data, &sig) < 0) {
            w->failed = 1;
            break;
        }
        gnutls_free(sig.data);
        w->count++;
    }
    return NULL;
}

static int measure(const struct alg *a, int nthreads, double window)
{
    struct worker w[MAX_THREADS];
    unsigned long total = 0;
    double t0, t1;
    int i, rc = 0;

    memset(w, 0, sizeof w);
    for (i = 0; i < nthreads; i++) {
        w[i].alg = a;
        if (make_key(a, &w[i].key) != 0) {
            fprintf(stderr, "sign_rate: cannot generate a %s key\n", a->name);
            return -1;
        }
    }
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
        gnutls_privkey_deinit(w[i].key);
    }
    t1 = now_s();
    if (rc) {
        fprintf(stderr, "sign_rate: %s signing failed\n", a->name);
        return -1;
    }
    printf("sign_rate %s %d %lu %.3f %.1f\n", a->name, nthreads, total, t1 - t0,
           (double)total / (t1 - t0));
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    double window = argc > 1 ? atof(argv[1]) : 3.0;
    size_t i;
    int n, rc = 0;

    if (window <= 0 || window > 60)
        window = 3.0;
    memset(input, 'a', sizeof input);
    if (gnutls_global_init() < 0)
        return 1;
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        for (n = 1; n <= MAX_THREADS; n++)
            if (measure(&algs[i], n, window) != 0)
                rc = 1;
    gnutls_global_deinit();
    return rc;
}
