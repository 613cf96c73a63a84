/* SPDX-License-Identifier: Apache-2.0 */
/* Native HTTPS (tls_cert_file, tls_key_file): load, serve to handshakes, reload on SIGHUP. */
#ifndef PC_HTTP_TLS_H
#define PC_HTTP_TLS_H
#include <gnutls/abstract.h>
#include <stddef.h>

/**
 * Load a PEM certificate chain and its PEM private key and serve them from now on.
 * Refuses (-1, reason in err) an unreadable file or a key of another certificate;
 * what was served before stays.
 */
int pc_tls_load(const char *cert_file, const char *key_file, char *err, size_t errlen);
/** Read the files loaded last again (SIGHUP); on failure keep serving the old pair. 0 if none. */
int pc_tls_reload(void);
/** Is an identity loaded (the listener speaks HTTPS)? */
int pc_tls_enabled(void);
/** gnutls_certificate_retrieve_function2 for MHD_OPTION_HTTPS_CERT_CALLBACK. */
int pc_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                    gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey);
void pc_tls_shutdown(void);
#endif
