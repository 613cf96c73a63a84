/* SPDX-License-Identifier: Apache-2.0 */
/* Small crypto utilities over GnuTLS: random, hashes, base64url, sealing, constant-time compare. */
#ifndef PC_UTIL_CRYPTO_H
#define PC_UTIL_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <portcullis/status.h>

#define PC_MASTER_KEY_LEN 32

/** Cryptographically secure random bytes (GnuTLS, GNUTLS_RND_RANDOM). */
pc_status pc_random(void *buf, size_t len);
/** A new random token: `bytes` random bytes as base64url without padding. */
char *pc_random_token(size_t bytes);
/** A new UUIDv7 string (time-ordered, 36 chars + NUL) into out[37]. */
void pc_uuid7(char out[37]);

/** SHA-256 of data into out[32]. */
void pc_sha256(const void *data, size_t len, uint8_t out[32]);
/** SHA-256 of a string as lowercase hex (new string, 64 chars). */
char *pc_sha256_hex(const char *s);

/** base64url without padding; returns a new string. */
char *pc_b64url_encode(const void *data, size_t len);
/** Decode base64url (padding optional); *out is new (NUL-terminated for convenience). */
pc_status pc_b64url_decode(const char *s, size_t slen, uint8_t **out, size_t *outlen);

/** Constant-time equality of two buffers of equal length; 0 if lengths differ. */
int pc_ct_equal(const void *a, size_t alen, const void *b, size_t blen);
/** Constant-time equality of two strings. */
int pc_ct_streq(const char *a, const char *b);

/**
 * Seal plaintext with AES-256-GCM under `key`: output is "v1." followed by
 * base64url(nonce[12] || ciphertext || tag[16]); `aad` (may be NULL) binds
 * the ciphertext to a context such as a key id. *sealed is new.
 */
pc_status pc_seal(const uint8_t key[PC_MASTER_KEY_LEN], const char *aad, const void *plain,
                  size_t plain_len, char **sealed);
/** Open what pc_seal made; PC_ERR_CRYPTO if it was tampered with or the key is wrong. *plain is new and NUL-terminated. */
pc_status pc_unseal(const uint8_t key[PC_MASTER_KEY_LEN], const char *aad, const char *sealed,
                    uint8_t **plain, size_t *plain_len);

#endif
