/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the passkey scheme's parsers of what a browser sends (schemes/webauthn/wa_cbor.c, with
 * libcbor): an attestation object, the authenticator data inside it and its COSE key, and the same
 * bytes read directly as authenticator data and as a COSE key. Everything parsed stays within the
 * input, and a key is accepted only with the sizes its algorithm has.
 */
#include "fuzz_support.h"
#include "wa_cbor.h"

static void check_auth_data(const uint8_t *p, size_t n)
{
    wa_auth_data ad;
    wa_cose_key key;

    if (wa_auth_data_parse(p, n, &ad) != NULL)
        return;
    FUZZ_ASSERT(n >= 37 && ad.rp_id_hash == p);
    if (ad.cred_id == NULL)
        return;
    FUZZ_ASSERT(ad.cred_id_len > 0 && ad.cred_id_len <= WA_MAX_CRED_ID);
    FUZZ_ASSERT(ad.cred_id >= p && ad.cred_id + ad.cred_id_len <= p + n);
    FUZZ_ASSERT(ad.cose_key >= p && ad.cose_key + ad.cose_key_len <= p + n);
    if (wa_cose_key_parse(ad.cose_key, ad.cose_key_len, &key) == NULL)
        FUZZ_ASSERT(key.alg == WA_ALG_ES256 || key.alg == WA_ALG_EDDSA ||
                    (key.alg == WA_ALG_RS256 && key.n_len >= 256 && key.e_len > 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wa_attestation at;
    wa_cose_key key;

    if (wa_attestation_parse(data, size, &at) == NULL) {
        FUZZ_ASSERT(at.fmt[0] != '\0' && at.auth_data != NULL);
        FUZZ_ASSERT(at.stmt_empty || (at.sig != NULL && at.sig_len <= WA_MAX_RSA_BYTES));
        check_auth_data(at.auth_data, at.auth_data_len);
    }
    wa_attestation_clear(&at);
    check_auth_data(data, size);
    (void)wa_cose_key_parse(data, size, &key);
    (void)wa_cbor_item_len(data, size);
    return 0;
}
