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
#include "rate_window.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A thread's own key, generated before the window opens. */
struct signer {
    const struct alg *alg;
    gnutls_privkey_t key;
};

/* A signing input the size of a typical access token's header.payload (about 330 bytes). */
static unsigned char input[330];

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

static int sign_once(void *arg)
{
    const struct signer *w = arg;
    gnutls_datum_t data = {input, sizeof input}, sig = {NULL, 0};

    if (gnutls_privkey_sign_data2(w->key, w->alg->sign, 0, &data, &sig) < 0)
        return -1;
    gnutls_free(sig.data);
    return 0;
}

static int measure(const struct alg *a, int nthreads, double window)
{
    struct signer w[MAX_THREADS];
    void *args[MAX_THREADS];
    unsigned long total = 0;
    double seconds = 0;
    int i, rc;

    for (i = 0; i < nthreads; i++) {
        w[i].alg = a;
        args[i] = &w[i];
        if (make_key(a, &w[i].key) != 0) {
            fprintf(stderr, "sign_rate: cannot generate a %s key\n", a->name);
            return -1;
        }
    }
    rc = rate_measure(sign_once, 20, args, nthreads, window, &total, &seconds);
    for (i = 0; i < nthreads; i++)
        gnutls_privkey_deinit(w[i].key);
    if (rc) {
        fprintf(stderr, "sign_rate: %s signing failed\n", a->name);
        return -1;
    }
    printf("sign_rate %s %d %lu %.3f %.1f\n", a->name, nthreads, total, seconds,
           (double)total / seconds);
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
