/* SPDX-License-Identifier: Apache-2.0 */
/* Native HTTPS: the certificate and key served to every handshake, swapped in whole on SIGHUP. */
#include "http/tls.h"
#include "util/log.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAIN 16

/* One certificate chain and its key. Replaced identities are kept until shutdown:
 * a handshake that began with one may still be using it, and reloads are rare. */
typedef struct identity {
    gnutls_pcert_st chain[MAX_CHAIN];
    unsigned chain_len;
    gnutls_privkey_t key;
    struct identity *older;
} identity;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static identity *current;
static char *cert_path, *key_path;

static void identity_free(identity *id)
{
    while (id != NULL) {
        identity *older = id->older;
        for (unsigned i = 0; i < id->chain_len; i++)
            gnutls_pcert_deinit(&id->chain[i]);
        gnutls_privkey_deinit(id->key);
        free(id);
        id = older;
    }
}

/* Does the key belong to the chain's first certificate? Sign with one, verify with the other. */
static int key_matches(const identity *id)
{
    static const unsigned char probe[] = "portcullis tls key check";
    const gnutls_datum_t data = {(unsigned char *)probe, sizeof probe};
    gnutls_datum_t sig = {NULL, 0};
    gnutls_sign_algorithm_t algo;
    int pk = gnutls_privkey_get_pk_algorithm(id->key, NULL), ok;

    algo = gnutls_pk_to_sign(pk, GNUTLS_DIG_SHA256);
    if (pk == GNUTLS_PK_EDDSA_ED25519)
        algo = GNUTLS_SIGN_EDDSA_ED25519;
    if (gnutls_privkey_sign_data2(id->key, algo, 0, &data, &sig) < 0)
        return 0;
    ok = gnutls_pubkey_verify_data2(id->chain[0].pubkey, algo, 0, &data, &sig) >= 0;
    gnutls_free(sig.data);
    return ok;
}

static int load_key(identity *id, const char *path, char *err, size_t errlen)
{
    gnutls_datum_t pem = {NULL, 0};
    int rc = gnutls_load_file(path, &pem);

    if (rc >= 0 && (rc = gnutls_privkey_init(&id->key)) >= 0)
        rc = gnutls_privkey_import_x509_raw(id->key, &pem, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_free(pem.data);
    if (rc < 0)
        snprintf(err, errlen, "cannot read the TLS key %s: %s", path, gnutls_strerror(rc));
    return rc < 0 ? -1 : 0;
}

static int load_chain(identity *id, const char *path, char *err, size_t errlen)
{
    gnutls_datum_t pem = {NULL, 0};
    int rc = gnutls_load_file(path, &pem);

    id->chain_len = MAX_CHAIN;
    if (rc >= 0)
        rc = gnutls_pcert_list_import_x509_raw(id->chain, &id->chain_len, &pem, GNUTLS_X509_FMT_PEM,
                                               0);
    gnutls_free(pem.data);
    if (rc < 0) {
        id->chain_len = 0;
        snprintf(err, errlen, "cannot read the TLS certificate %s: %s", path, gnutls_strerror(rc));
        return -1;
    }
    return 0;
}

/* A new identity from the files, or NULL with the reason in err. */
static identity *identity_load(const char *cert, const char *key, char *err, size_t errlen)
{
    identity *id = calloc(1, sizeof *id);

    if (id == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (load_chain(id, cert, err, errlen) != 0 || load_key(id, key, err, errlen) != 0)
        goto fail;
    if (!key_matches(id)) {
        snprintf(err, errlen, "the TLS key %s does not belong to the certificate %s", key, cert);
        goto fail;
    }
    return id;
fail:
    identity_free(id);
    return NULL;
}

int pc_tls_load(const char *cert_file, const char *key_file, char *err, size_t errlen)
{
    identity *id = identity_load(cert_file, key_file, err, errlen);

    if (id == NULL)
        return -1;
    pthread_mutex_lock(&lock);
    id->older = current;
    current = id;
    free(cert_path);
    free(key_path);
    cert_path = strdup(cert_file);
    key_path = strdup(key_file);
    pthread_mutex_unlock(&lock);
    return 0;
}

int pc_tls_reload(void)
{
    char err[512], *cert, *key;
    int rc;

    pthread_mutex_lock(&lock); /* pc_tls_load replaces the paths: work on copies */
    cert = cert_path ? strdup(cert_path) : NULL;
    key = key_path ? strdup(key_path) : NULL;
    pthread_mutex_unlock(&lock);
    if (cert == NULL || key == NULL) {
        free(cert);
        free(key);
        return 0;
    }
    rc = pc_tls_load(cert, key, err, sizeof err);
    if (rc != 0)
        pc_error("TLS certificate not reloaded, still serving the previous one: %s", err);
    else
        pc_info("TLS certificate reloaded from %s", cert);
    free(cert);
    free(key);
    return rc;
}

int pc_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                    gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    int rc = -1;

    (void)session, (void)req_ca_dn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
    pthread_mutex_lock(&lock);
    if (current != NULL) {
        *pcert = current->chain;
        *pcert_length = current->chain_len;
        *pkey = current->key;
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int pc_tls_enabled(void)
{
    return current != NULL;
}

void pc_tls_shutdown(void)
{
    pthread_mutex_lock(&lock);
    identity_free(current);
    current = NULL;
    free(cert_path);
    free(key_path);
    cert_path = key_path = NULL;
    pthread_mutex_unlock(&lock);
}
