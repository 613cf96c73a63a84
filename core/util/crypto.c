/* SPDX-License-Identifier: Apache-2.0 */
/* Small crypto utilities over GnuTLS: random, hashes, base64url, sealing, constant-time compare. */
#include "util/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "util/mem.h"

#define SEAL_PREFIX "v1."
#define SEAL_PREFIX_LEN 3
#define GCM_NONCE_LEN 12
#define GCM_TAG_LEN 16

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pc_status pc_random(void *buf, size_t len)
{
    if (len == 0)
        return PC_OK;
    if (buf == NULL)
        return PC_ERR_INVALID;
    return gnutls_rnd(GNUTLS_RND_RANDOM, buf, len) < 0 ? PC_ERR_CRYPTO : PC_OK;
}

char *pc_random_token(size_t bytes)
{
    uint8_t *buf = pc_malloc(bytes);
    char *token = NULL;

    if (pc_random(buf, bytes) == PC_OK)
        token = pc_b64url_encode(buf, bytes);
    gnutls_memset(buf, 0, bytes);
    free(buf);
    return token;
}

static uint64_t unix_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * RFC 9562 §6.2 method 1: rand_a is a 12-bit counter, so ids made by this
 * process in one millisecond still sort in the order they were made (audit
 * events list newest first by id). A counter that overflows borrows the next
 * millisecond.
 */
static uint64_t next_stamp(uint16_t *seq)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static uint64_t last_ms;
    static uint16_t counter;
    uint64_t ms = unix_ms();

    pthread_mutex_lock(&lock);
    if (ms > last_ms) {
        last_ms = ms;
        counter = 0;
    } else if (++counter > 0x0fff) {
        last_ms++;
        counter = 0;
    }
    ms = last_ms;
    *seq = counter;
    pthread_mutex_unlock(&lock);
    return ms;
}

void pc_uuid7(char out[37])
{
    uint8_t b[16];
    uint16_t seq;
    uint64_t ms = next_stamp(&seq);
    char *p = out;

    /* The random bits are what make the id unique: a UUID without them is worse than none. */
    if (pc_random(b + 8, sizeof(b) - 8) != PC_OK) {
        fputs("portcullis: random number generator failed\n", stderr);
        abort();
    }
    /* RFC 9562 §5.7: unix_ts_ms (48 bits, big-endian), ver = 7, rand_a (the counter), var = 0b10, rand_b */
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(ms >> (40 - 8 * i));
    b[6] = (uint8_t)(0x70 | (seq >> 8));
    b[7] = (uint8_t)(seq & 0xff);
    b[8] = (uint8_t)(0x80 | (b[8] & 0x3f));
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        p += sprintf(p, "%02x", b[i]);
    }
}

void pc_sha256(const void *data, size_t len, uint8_t out[32])
{
    /* SHA-256 is always available in GnuTLS; only a broken library could fail here. */
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) < 0)
        abort();
}

char *pc_sha256_hex(const char *s)
{
    uint8_t d[32];
    char *hex;

    if (s == NULL)
        return NULL;
    pc_sha256(s, strlen(s), d);
    hex = pc_malloc(sizeof(d) * 2 + 1);
    for (size_t i = 0; i < sizeof(d); i++)
        sprintf(hex + 2 * i, "%02x", d[i]);
    return hex;
}

/* RFC 4648 §5: the URL and filename safe alphabet; RFC 7515 §2 drops the padding. */
char *pc_b64url_encode(const void *data, size_t len)
{
    const uint8_t *in = data;
    char *out = pc_malloc(len / 3 * 4 + 4 + 1);
    char *p = out;
    size_t i;

    for (i = 0; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *p++ = b64url_alphabet[v >> 18 & 0x3f];
        *p++ = b64url_alphabet[v >> 12 & 0x3f];
        *p++ = b64url_alphabet[v >> 6 & 0x3f];
        *p++ = b64url_alphabet[v & 0x3f];
    }
    if (len - i > 0) {
        uint32_t v = (uint32_t)in[i] << 16 | (len - i == 2 ? (uint32_t)in[i + 1] << 8 : 0);
        *p++ = b64url_alphabet[v >> 18 & 0x3f];
        *p++ = b64url_alphabet[v >> 12 & 0x3f];
        if (len - i == 2)
            *p++ = b64url_alphabet[v >> 6 & 0x3f];
    }
    *p = '\0';
    return out;
}

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Length without padding, or (size_t)-1 if the padding is malformed. */
static size_t unpadded_len(const char *s, size_t slen)
{
    size_t n = slen;

    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n == slen)
        return n;
    /* RFC 4648 §3.2: padding makes the length a multiple of 4, and at most "==" */
    if (slen % 4 != 0 || slen - n > 2 || n % 4 + (slen - n) != 4)
        return (size_t)-1;
    return n;
}

pc_status pc_b64url_decode(const char *s, size_t slen, uint8_t **out, size_t *outlen)
{
    uint8_t *buf;
    uint32_t acc = 0;
    size_t n, len = 0;

    if (out == NULL || outlen == NULL || (s == NULL && slen > 0))
        return PC_ERR_INVALID;
    *out = NULL;
    *outlen = 0;
    n = unpadded_len(s, slen);
    /* A lone trailing character carries 6 bits: never a whole octet. */
    if (n == (size_t)-1 || n % 4 == 1)
        return PC_ERR_INVALID;
    buf = pc_malloc(n / 4 * 3 + 2 + 1);
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value(s[i]);
        if (v < 0)
            goto bad;
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            buf[len++] = (uint8_t)(acc >> 16);
            buf[len++] = (uint8_t)(acc >> 8);
            buf[len++] = (uint8_t)acc;
            acc = 0;
        }
    }
    /* RFC 4648 §3.5: the unused bits must be zero, so each string has one decoding. */
    if (n % 4 == 2) {
        if (acc & 0x0f)
            goto bad;
        buf[len++] = (uint8_t)(acc >> 4);
    } else if (n % 4 == 3) {
        if (acc & 0x03)
            goto bad;
        buf[len++] = (uint8_t)(acc >> 10);
        buf[len++] = (uint8_t)(acc >> 2);
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return PC_OK;
bad:
    free(buf);
    return PC_ERR_INVALID;
}

int pc_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    const volatile uint8_t *x = a, *y = b;
    volatile uint8_t diff = 0;

    /* Lengths are not secret here; only the contents are compared in constant time. */
    if (alen != blen || (alen > 0 && (a == NULL || b == NULL)))
        return 0;
    for (size_t i = 0; i < alen; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

int pc_ct_streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return 0;
    return pc_ct_equal(a, strlen(a), b, strlen(b));
}

static pc_status gcm_open_handle(const uint8_t key[PC_MASTER_KEY_LEN], gnutls_aead_cipher_hd_t *h)
{
    gnutls_datum_t k = {(unsigned char *)key, PC_MASTER_KEY_LEN};

    return gnutls_aead_cipher_init(h, GNUTLS_CIPHER_AES_256_GCM, &k) < 0 ? PC_ERR_CRYPTO : PC_OK;
}

pc_status pc_seal(const uint8_t key[PC_MASTER_KEY_LEN], const char *aad, const void *plain,
                  size_t plain_len, char **sealed)
{
    gnutls_aead_cipher_hd_t h = NULL;
    uint8_t *buf = NULL;
    char *b64 = NULL;
    size_t ct_len;
    pc_status rc;

    if (key == NULL || sealed == NULL || (plain == NULL && plain_len > 0))
        return PC_ERR_INVALID;
    *sealed = NULL;
    if (plain_len > SIZE_MAX / 2)
        return PC_ERR_INVALID;
    ct_len = plain_len + GCM_TAG_LEN;
    buf = pc_malloc(GCM_NONCE_LEN + ct_len);
    /* NIST SP 800-38D §8.3: random 96-bit nonces stay safe for up to 2^32 seals per key */
    rc = pc_random(buf, GCM_NONCE_LEN);
    if (rc != PC_OK)
        goto out;
    rc = gcm_open_handle(key, &h);
    if (rc != PC_OK)
        goto out;
    if (gnutls_aead_cipher_encrypt(h, buf, GCM_NONCE_LEN, aad, aad ? strlen(aad) : 0, GCM_TAG_LEN,
                                   plain, plain_len, buf + GCM_NONCE_LEN, &ct_len) < 0) {
        rc = PC_ERR_CRYPTO;
        goto out;
    }
    b64 = pc_b64url_encode(buf, GCM_NONCE_LEN + ct_len);
    *sealed = pc_asprintf("%s%s", SEAL_PREFIX, b64);
out:
    if (h != NULL)
        gnutls_aead_cipher_deinit(h);
    free(buf);
    free(b64);
    return rc;
}

pc_status pc_unseal(const uint8_t key[PC_MASTER_KEY_LEN], const char *aad, const char *sealed,
                    uint8_t **plain, size_t *plain_len)
{
    gnutls_aead_cipher_hd_t h = NULL;
    uint8_t *raw = NULL, *pt = NULL;
    size_t raw_len, pt_len = 0;
    pc_status rc;

    if (key == NULL || sealed == NULL || plain == NULL || plain_len == NULL)
        return PC_ERR_INVALID;
    *plain = NULL;
    *plain_len = 0;
    if (strncmp(sealed, SEAL_PREFIX, SEAL_PREFIX_LEN) != 0)
        return PC_ERR_INVALID;
    sealed += SEAL_PREFIX_LEN;
    rc = pc_b64url_decode(sealed, strlen(sealed), &raw, &raw_len);
    if (rc != PC_OK)
        goto out;
    if (raw_len < GCM_NONCE_LEN + GCM_TAG_LEN) {
        rc = PC_ERR_INVALID;
        goto out;
    }
    rc = gcm_open_handle(key, &h);
    if (rc != PC_OK)
        goto out;
    pt_len = raw_len - GCM_NONCE_LEN;
    pt = pc_malloc(pt_len + 1);
    if (gnutls_aead_cipher_decrypt(h, raw, GCM_NONCE_LEN, aad, aad ? strlen(aad) : 0, GCM_TAG_LEN,
                                   raw + GCM_NONCE_LEN, raw_len - GCM_NONCE_LEN, pt, &pt_len) < 0) {
        rc = PC_ERR_CRYPTO;
        goto out;
    }
    pt[pt_len] = '\0';
    *plain = pt;
    *plain_len = pt_len;
    pt = NULL;
out:
    if (h != NULL)
        gnutls_aead_cipher_deinit(h);
    if (pt != NULL) {
        gnutls_memset(pt, 0, raw_len - GCM_NONCE_LEN + 1);
        free(pt);
    }
    free(raw);
    return rc;
}
