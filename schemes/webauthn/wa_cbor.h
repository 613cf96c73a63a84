/* SPDX-License-Identifier: Apache-2.0 */
/* WebAuthn's binary structures, decoded with libcbor: authenticator data, COSE keys, attestation objects. */
#ifndef WA_CBOR_H
#define WA_CBOR_H
#include <stddef.h>
#include <stdint.h>

/* Authenticator data flags (WebAuthn L2 §6.1). */
#define WA_FLAG_UP 0x01
#define WA_FLAG_UV 0x04
#define WA_FLAG_BE 0x08
#define WA_FLAG_BS 0x10
#define WA_FLAG_AT 0x40
#define WA_FLAG_ED 0x80

/* COSE algorithms (RFC 9053, RFC 8812) and key types. */
#define WA_ALG_ES256 (-7)
#define WA_ALG_EDDSA (-8)
#define WA_ALG_RS256 (-257)
#define WA_MAX_CRED_ID 1023  /* WebAuthn L2 §5.8.3 */
#define WA_MAX_RSA_BYTES 512 /* 4096-bit modulus */

/** Authenticator data; pointers borrow the parsed buffer. */
typedef struct wa_auth_data {
    const uint8_t *rp_id_hash; /**< 32 bytes */
    uint8_t flags;
    uint32_t sign_count;
    const uint8_t *aaguid;  /**< 16 bytes, with attested credential data */
    const uint8_t *cred_id; /**< with attested credential data */
    size_t cred_id_len;
    const uint8_t *cose_key; /**< the credential public key, CBOR */
    size_t cose_key_len;
} wa_auth_data;

/** A credential public key (COSE_Key, RFC 9052 §7) of a supported algorithm. */
typedef struct wa_cose_key {
    int alg;
    uint8_t x[32], y[32]; /**< EC2 P-256 (x, y) or OKP Ed25519 (x) */
    uint8_t n[WA_MAX_RSA_BYTES], e[8];
    size_t n_len, e_len;
} wa_cose_key;

/** An attestation object (§6.5); auth_data and sig are copies the caller frees with wa_attestation_clear. */
typedef struct wa_attestation {
    char fmt[16];
    uint8_t *auth_data, *sig;
    size_t auth_data_len, sig_len;
    int has_alg, alg;
    int has_x5c;
    int stmt_empty;
} wa_attestation;

/**
 * Parse authenticator data of `n` bytes. Attested credential data is read
 * when the AT flag is set; extensions (ED) must be one well-formed CBOR map
 * and nothing may follow. Returns NULL or a sentence saying what is wrong.
 */
const char *wa_auth_data_parse(const uint8_t *p, size_t n, wa_auth_data *out);
/** The length of the one CBOR item at p (at most n bytes), or 0 when malformed. */
size_t wa_cbor_item_len(const uint8_t *p, size_t n);
/** Decode a COSE key: ES256 on P-256, RS256, or EdDSA on Ed25519; NULL or what is wrong. */
const char *wa_cose_key_parse(const uint8_t *p, size_t n, wa_cose_key *out);
/** Decode an attestation object {fmt, attStmt, authData}; NULL or what is wrong. */
const char *wa_attestation_parse(const uint8_t *p, size_t n, wa_attestation *out);
void wa_attestation_clear(wa_attestation *a);
#endif
