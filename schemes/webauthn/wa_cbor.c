/* SPDX-License-Identifier: Apache-2.0 */
/* WebAuthn's binary structures, decoded with libcbor: authenticator data, COSE keys, attestation objects. */
#include "wa_cbor.h"

#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_DATA_MIN 37 /* rpIdHash 32, flags 1, signCount 4 */

typedef struct room {
    size_t left;
    int over;
} room;

static void array_room(void *ctx, size_t size)
{
    room *r = ctx;

    r->over |= size > r->left;
}

static void map_room(void *ctx, size_t size)
{
    room *r = ctx;

    r->over |= size > r->left / 2;
}

/*
 * libcbor allocates an array's or a map's declared count at once: a header of a few bytes
 * could ask for gigabytes. Each item takes at least a byte, so a count above the bytes
 * left is malformed; refuse it before cbor_load sees it.
 */
static int counts_fit(const uint8_t *p, size_t n)
{
    struct cbor_callbacks cb = cbor_empty_callbacks;
    room r = {0, 0};
    size_t at = 0;

    cb.array_start = array_room;
    cb.map_start = map_room;
    while (at < n && !r.over) {
        struct cbor_decoder_result d;
        r.left = n - at;
        d = cbor_stream_decode(p + at, n - at, &cb, &r);
        if (d.status != CBOR_DECODER_FINISHED || d.read == 0)
            break; /* truncated or malformed: cbor_load refuses it by itself */
        at += d.read;
    }
    return !r.over;
}

/* cbor_load, after the counts are known to fit. */
static cbor_item_t *load(const uint8_t *p, size_t n, struct cbor_load_result *r)
{
    return counts_fit(p, n) ? cbor_load(p, n, r) : NULL;
}

/* One definite CBOR item that fills exactly n bytes, or NULL. */
static cbor_item_t *load_exact(const uint8_t *p, size_t n)
{
    struct cbor_load_result r;
    cbor_item_t *item;

    if (p == NULL || n == 0)
        return NULL;
    item = load(p, n, &r);
    if (item != NULL && (r.error.code != CBOR_ERR_NONE || r.read != n)) {
        cbor_decref(&item);
        return NULL;
    }
    return item;
}

size_t wa_cbor_item_len(const uint8_t *p, size_t n)
{
    struct cbor_load_result r;
    cbor_item_t *item = n > 0 ? load(p, n, &r) : NULL;
    size_t len = item != NULL && r.error.code == CBOR_ERR_NONE ? r.read : 0;

    if (item != NULL)
        cbor_decref(&item);
    return len;
}

/* An integer item as int64 (major types 0 and 1), within int range; 0 on success. */
static int int_of(const cbor_item_t *i, int64_t *v)
{
    uint64_t u;

    if (i == NULL || !(cbor_isa_uint(i) || cbor_isa_negint(i)))
        return -1;
    u = cbor_get_int(i);
    if (u > INT32_MAX)
        return -1;
    *v = cbor_isa_uint(i) ? (int64_t)u : -1 - (int64_t)u;
    return 0;
}

/* The value of integer key `key` in a definite map, or NULL. */
static cbor_item_t *map_int(const cbor_item_t *map, int64_t key)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    int64_t k;

    for (size_t i = 0; i < cbor_map_size(map); i++)
        if (int_of(pairs[i].key, &k) == 0 && k == key)
            return pairs[i].value;
    return NULL;
}

static int text_is(const cbor_item_t *i, const char *s)
{
    size_t n = strlen(s);

    return i != NULL && cbor_isa_string(i) && cbor_string_is_definite(i) &&
           cbor_string_length(i) == n && memcmp(cbor_string_handle(i), s, n) == 0;
}

/* The value of text key `key` in a definite map, or NULL. */
static cbor_item_t *map_text(const cbor_item_t *map, const char *key)
{
    struct cbor_pair *pairs = cbor_map_handle(map);

    for (size_t i = 0; i < cbor_map_size(map); i++)
        if (text_is(pairs[i].key, key))
            return pairs[i].value;
    return NULL;
}

static int is_map(const cbor_item_t *i)
{
    return i != NULL && cbor_isa_map(i) && cbor_map_is_definite(i);
}

/* A definite byte string of exactly `want` bytes (0: any length up to `max`) copied to dst. */
static int bytes_to(const cbor_item_t *i, uint8_t *dst, size_t want, size_t max, size_t *got)
{
    size_t n;

    if (i == NULL || !cbor_isa_bytestring(i) || !cbor_bytestring_is_definite(i))
        return -1;
    n = cbor_bytestring_length(i);
    if ((want != 0 && n != want) || n == 0 || n > max)
        return -1;
    memcpy(dst, cbor_bytestring_handle(i), n);
    if (got != NULL)
        *got = n;
    return 0;
}

static const char *attested_data(const uint8_t *p, size_t n, size_t *at, wa_auth_data *out)
{
    size_t len;

    if (n - *at < 18)
        return "authenticator data: attested credential data is truncated";
    out->aaguid = p + *at;
    out->cred_id_len = (size_t)p[*at + 16] << 8 | p[*at + 17];
    *at += 18;
    if (out->cred_id_len == 0 || out->cred_id_len > WA_MAX_CRED_ID || n - *at < out->cred_id_len)
        return "authenticator data: the credential id length is out of range";
    out->cred_id = p + *at;
    *at += out->cred_id_len;
    len = wa_cbor_item_len(p + *at, n - *at);
    if (len == 0)
        return "authenticator data: the credential public key is not well-formed CBOR";
    out->cose_key = p + *at;
    out->cose_key_len = len;
    *at += len;
    return NULL;
}

const char *wa_auth_data_parse(const uint8_t *p, size_t n, wa_auth_data *out)
{
    size_t at = AUTH_DATA_MIN, len;
    const char *err;
    cbor_item_t *ext;

    memset(out, 0, sizeof *out);
    if (p == NULL || n < AUTH_DATA_MIN)
        return "authenticator data is shorter than 37 bytes";
    out->rp_id_hash = p;
    out->flags = p[32];
    out->sign_count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 | (uint32_t)p[35] << 8 | p[36];
    if ((out->flags & WA_FLAG_AT) && (err = attested_data(p, n, &at, out)) != NULL)
        return err;
    if (out->flags & WA_FLAG_ED) {
        len = wa_cbor_item_len(p + at, n - at);
        ext = len > 0 ? load_exact(p + at, len) : NULL;
        if (!is_map(ext)) {
            if (ext != NULL)
                cbor_decref(&ext);
            return "authenticator data: extensions are not a CBOR map";
        }
        cbor_decref(&ext);
        at += len;
    }
    return at == n ? NULL : "authenticator data has bytes left over";
}

static const char *cose_ec2(const cbor_item_t *k, wa_cose_key *out)
{
    int64_t crv;

    if (int_of(map_int(k, -1), &crv) != 0 || crv != 1)
        return "credential public key: ES256 needs the curve P-256";
    if (bytes_to(map_int(k, -2), out->x, 32, 32, NULL) != 0 ||
        bytes_to(map_int(k, -3), out->y, 32, 32, NULL) != 0)
        return "credential public key: x and y must be 32 bytes each";
    return NULL;
}

static const char *cose_okp(const cbor_item_t *k, wa_cose_key *out)
{
    int64_t crv;

    if (int_of(map_int(k, -1), &crv) != 0 || crv != 6)
        return "credential public key: EdDSA needs the curve Ed25519";
    if (bytes_to(map_int(k, -2), out->x, 32, 32, NULL) != 0)
        return "credential public key: x must be 32 bytes";
    return NULL;
}

static const char *cose_rsa(const cbor_item_t *k, wa_cose_key *out)
{
    if (bytes_to(map_int(k, -1), out->n, 0, sizeof out->n, &out->n_len) != 0 || out->n_len < 256)
        return "credential public key: the RSA modulus must be 2048 to 4096 bits";
    if (bytes_to(map_int(k, -2), out->e, 0, sizeof out->e, &out->e_len) != 0)
        return "credential public key: the RSA exponent is malformed";
    return NULL;
}

const char *wa_cose_key_parse(const uint8_t *p, size_t n, wa_cose_key *out)
{
    cbor_item_t *k = load_exact(p, n);
    int64_t kty, alg;
    const char *err;

    memset(out, 0, sizeof *out);
    if (!is_map(k)) {
        err = "credential public key is not a CBOR map";
    } else if (int_of(map_int(k, 1), &kty) != 0 || int_of(map_int(k, 3), &alg) != 0) {
        err = "credential public key: kty and alg are required integers";
    } else if (kty == 2 && alg == WA_ALG_ES256) {
        err = cose_ec2(k, out);
    } else if (kty == 1 && alg == WA_ALG_EDDSA) {
        err = cose_okp(k, out);
    } else if (kty == 3 && alg == WA_ALG_RS256) {
        err = cose_rsa(k, out);
    } else {
        err = "credential public key: only ES256, RS256 and EdDSA are accepted";
    }
    if (err == NULL)
        out->alg = (int)alg;
    if (k != NULL)
        cbor_decref(&k);
    return err;
}

static uint8_t *dup_bytes(const cbor_item_t *i, size_t *n)
{
    uint8_t *copy;

    if (i == NULL || !cbor_isa_bytestring(i) || !cbor_bytestring_is_definite(i))
        return NULL;
    *n = cbor_bytestring_length(i);
    copy = malloc(*n > 0 ? *n : 1);
    if (copy != NULL && *n > 0)
        memcpy(copy, cbor_bytestring_handle(i), *n);
    return copy;
}

/* attStmt: empty for "none"; {alg, sig, x5c?} for "packed" (§8.2). */
static const char *statement(const cbor_item_t *st, wa_attestation *out)
{
    int64_t alg;
    cbor_item_t *sig = map_text(st, "sig"), *x5c = map_text(st, "x5c");

    out->stmt_empty = cbor_map_size(st) == 0;
    if (out->stmt_empty)
        return NULL;
    if (int_of(map_text(st, "alg"), &alg) != 0)
        return "attestation statement: alg must be an integer";
    out->has_alg = 1;
    out->alg = (int)alg;
    out->sig = dup_bytes(sig, &out->sig_len);
    if (out->sig == NULL || out->sig_len == 0 || out->sig_len > WA_MAX_RSA_BYTES)
        return "attestation statement: sig must be a byte string";
    if (x5c != NULL && !(cbor_isa_array(x5c) && cbor_array_is_definite(x5c)))
        return "attestation statement: x5c must be an array";
    out->has_x5c = x5c != NULL;
    return NULL;
}

const char *wa_attestation_parse(const uint8_t *p, size_t n, wa_attestation *out)
{
    cbor_item_t *obj = load_exact(p, n), *fmt, *st;
    const char *err = NULL;

    memset(out, 0, sizeof *out);
    if (!is_map(obj)) {
        err = "the attestation object is not a well-formed CBOR map";
        goto out;
    }
    fmt = map_text(obj, "fmt");
    st = map_text(obj, "attStmt");
    if (fmt == NULL || !cbor_isa_string(fmt) || !cbor_string_is_definite(fmt) ||
        cbor_string_length(fmt) == 0 || cbor_string_length(fmt) >= sizeof out->fmt ||
        memchr(cbor_string_handle(fmt), '\0', cbor_string_length(fmt)) != NULL) {
        err = "the attestation object has no fmt";
        goto out;
    }
    memcpy(out->fmt, cbor_string_handle(fmt), cbor_string_length(fmt));
    out->auth_data = dup_bytes(map_text(obj, "authData"), &out->auth_data_len);
    if (out->auth_data == NULL)
        err = "the attestation object has no authData byte string";
    else if (!is_map(st))
        err = "the attestation object has no attStmt map";
    else
        err = statement(st, out);
out:
    if (obj != NULL)
        cbor_decref(&obj);
    return err;
}

void wa_attestation_clear(wa_attestation *a)
{
    free(a->auth_data);
    free(a->sig);
    memset(a, 0, sizeof *a);
}
