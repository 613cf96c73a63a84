/* SPDX-License-Identifier: Apache-2.0 */
/* JOSE: key generation (rhonabwy), keys imported once into GnuTLS, compact JWS sign and verify. */
#include "jose/jose.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <rhonabwy.h>

#include "util/crypto.h"
#include "util/mem.h"

/* A compact JWS longer than this is refused before anything is decoded or allocated. */
#define JWS_MAX_LEN (64 * 1024)
/* RFC 7518 §3.4: each of R and S is a 32-octet big-endian integer for P-256. */
#define ES256_COORD_LEN 32
/* RFC 7518 §3.3 and §3.5: a key of size 2048 bits or larger MUST be used. */
#define RSA_MIN_BITS 2048

struct pc_jose_key {
    char *kid;             /* NULL if the JWK had none */
    pc_jose_alg alg;       /* never PC_ALG_NONE_ */
    gnutls_privkey_t priv; /* NULL for a public key */
    gnutls_pubkey_t pub;   /* always set */
};

typedef struct alg_info {
    pc_jose_alg alg;
    const char *name;
    gnutls_sign_algorithm_t sign;
    gnutls_pk_algorithm_t pk;
    int rhn_type;      /* for r_jwk_generate_key_pair */
    unsigned int bits; /* idem */
} alg_info;

/* RFC 7518 §3.1 and RFC 8037 §3.1: the four algorithms and the primitives behind them. */
static const alg_info algs[] = {
    {PC_ALG_RS256, "RS256", GNUTLS_SIGN_RSA_SHA256, GNUTLS_PK_RSA, R_KEY_TYPE_RSA, 2048},
    {PC_ALG_PS256, "PS256", GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, GNUTLS_PK_RSA, R_KEY_TYPE_RSA, 2048},
    {PC_ALG_ES256, "ES256", GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_PK_ECDSA, R_KEY_TYPE_EC, 256},
    {PC_ALG_EDDSA, "EdDSA", GNUTLS_SIGN_EDDSA_ED25519, GNUTLS_PK_EDDSA_ED25519, R_KEY_TYPE_EDDSA,
     256},
};

/* The three parts of a compact JWS, borrowed from the caller's string. */
typedef struct jws_parts {
    const char *header, *payload, *sig;
    size_t header_len, payload_len, sig_len;
    size_t input_len; /* RFC 7515 §5.1: the signing input is header '.' payload */
} jws_parts;

static const alg_info *alg_lookup(pc_jose_alg alg)
{
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if (algs[i].alg == alg)
            return &algs[i];
    return NULL;
}

pc_jose_alg pc_jose_alg_from_str(const char *s)
{
    if (s == NULL)
        return PC_ALG_NONE_;
    /* RFC 7515 §4.1.1: "alg" values are case-sensitive */
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if (strcmp(algs[i].name, s) == 0)
            return algs[i].alg;
    return PC_ALG_NONE_;
}

const char *pc_jose_alg_str(pc_jose_alg alg)
{
    const alg_info *a = alg_lookup(alg);

    return a != NULL ? a->name : NULL;
}

/* json_dumpb into our own allocation, so the result is freed with free(). */
static char *dump_compact(const json_t *j, size_t flags)
{
    size_t n = json_dumpb(j, NULL, 0, JSON_COMPACT | flags);
    char *s;

    if (n == 0)
        return NULL;
    s = pc_malloc(n + 1);
    json_dumpb(j, s, n, JSON_COMPACT | flags);
    s[n] = '\0';
    return s;
}

/* ---- keys ---------------------------------------------------------------------------------- */

static int set_sig_props(jwk_t *jwk, const char *alg)
{
    /* RFC 7517 §4.2 and §4.4 */
    return r_jwk_set_property_str(jwk, "alg", alg) == RHN_OK &&
           r_jwk_set_property_str(jwk, "use", "sig") == RHN_OK;
}

pc_status pc_jose_key_generate(pc_jose_alg alg, const char *kid, json_t **private_jwk,
                               json_t **public_jwk)
{
    const alg_info *a = alg_lookup(alg);
    jwk_t *jpriv = NULL, *jpub = NULL;
    pc_status rc = PC_ERR_CRYPTO;

    if (a == NULL || private_jwk == NULL || public_jwk == NULL)
        return PC_ERR_INVALID;
    *private_jwk = *public_jwk = NULL;
    if (r_jwk_init(&jpriv) != RHN_OK || r_jwk_init(&jpub) != RHN_OK)
        goto out;
    if (r_jwk_generate_key_pair(jpriv, jpub, a->rhn_type, a->bits, kid) != RHN_OK)
        goto out;
    if (!set_sig_props(jpriv, a->name) || !set_sig_props(jpub, a->name))
        goto out;
    *private_jwk = r_jwk_export_to_json_t(jpriv);
    *public_jwk = r_jwk_export_to_json_t(jpub);
    if (*private_jwk == NULL || *public_jwk == NULL) {
        json_decref(*private_jwk);
        json_decref(*public_jwk);
        *private_jwk = *public_jwk = NULL;
        goto out;
    }
    rc = PC_OK;
out:
    r_jwk_free(jpriv);
    r_jwk_free(jpub);
    return rc;
}

static int str_member_is(const json_t *jwk, const char *name, const char *value)
{
    const char *s = json_string_value(json_object_get(jwk, name));

    return s != NULL && strcmp(s, value) == 0;
}

/* RFC 7517 §4.4: "alg" is optional in a JWK; infer it only where the key type leaves no choice. */
static pc_status jwk_alg(const json_t *jwk, pc_jose_alg *alg)
{
    const json_t *v = json_object_get(jwk, "alg");

    if (v != NULL) {
        *alg = pc_jose_alg_from_str(json_string_value(v));
        return *alg == PC_ALG_NONE_ ? PC_ERR_INVALID : PC_OK;
    }
    if (str_member_is(jwk, "kty", "EC") && str_member_is(jwk, "crv", "P-256"))
        *alg = PC_ALG_ES256;
    else if (str_member_is(jwk, "kty", "OKP") && str_member_is(jwk, "crv", "Ed25519"))
        *alg = PC_ALG_EDDSA;
    else
        return PC_ERR_INVALID; /* an RSA key serves RS256 and PS256: the JWK must say which */
    return PC_OK;
}

/* Reads kid, alg and use from the JWK as given, before rhonabwy sees it. */
static pc_status jwk_meta(const json_t *jwk, pc_jose_key *k)
{
    const json_t *kid = json_object_get(jwk, "kid");
    const json_t *use = json_object_get(jwk, "use");

    if (kid != NULL && (!json_is_string(kid) || json_string_length(kid) == 0))
        return PC_ERR_INVALID;
    /* RFC 7517 §4.2: a key marked for encryption is not a signing key */
    if (use != NULL && !str_member_is(jwk, "use", "sig"))
        return PC_ERR_INVALID;
    k->kid = pc_strdup(json_string_value(kid));
    return jwk_alg(jwk, &k->alg);
}

/* Turns the JWK into GnuTLS objects once; a private JWK yields the public half too. */
static pc_status load_gnutls_keys(const json_t *jwk, pc_jose_key *k)
{
    json_t *copy = json_deep_copy(jwk); /* rhonabwy takes a mutable object */
    jwk_t *j = NULL;
    pc_status rc = PC_ERR_INVALID;
    unsigned int bits = 0;
    int type;

    if (copy == NULL || r_jwk_init(&j) != RHN_OK)
        goto out;
    if (r_jwk_import_from_json_t(j, copy) != RHN_OK)
        goto out;
    type = r_jwk_key_type(j, &bits, R_FLAG_IGNORE_REMOTE);
    if (type & R_KEY_TYPE_PRIVATE) {
        k->priv = r_jwk_export_to_gnutls_privkey(j);
        if (k->priv == NULL || gnutls_pubkey_init(&k->pub) < 0)
            goto out;
        if (gnutls_pubkey_import_privkey(k->pub, k->priv, 0, 0) < 0)
            goto out;
    } else if (type & R_KEY_TYPE_PUBLIC) {
        /* never fetch x5u from here: a JWK is imported from configuration or storage */
        k->pub = r_jwk_export_to_gnutls_pubkey(j, R_FLAG_IGNORE_REMOTE);
        if (k->pub == NULL)
            goto out;
    } else {
        goto out; /* symmetric keys have no place here (RFC 8725 §2.1) */
    }
    rc = PC_OK;
out:
    r_jwk_free(j);
    json_decref(copy);
    return rc;
}

/* RFC 7518 §3.3-3.5 and RFC 8037 §3.1: the key must be of the kind and size its alg demands. */
static pc_status check_key_fits_alg(const pc_jose_key *k)
{
    const alg_info *a = alg_lookup(k->alg);
    unsigned int bits = 0;
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    gnutls_datum_t x = {NULL, 0}, y = {NULL, 0};
    int pk = gnutls_pubkey_get_pk_algorithm(k->pub, &bits);

    if (pk < 0 || (gnutls_pk_algorithm_t)pk != a->pk)
        return PC_ERR_INVALID;
    if (a->pk == GNUTLS_PK_RSA && bits < RSA_MIN_BITS)
        return PC_ERR_INVALID;
    if (a->pk == GNUTLS_PK_ECDSA) {
        int err = gnutls_pubkey_export_ecc_raw2(k->pub, &curve, &x, &y, 0);
        gnutls_free(x.data);
        gnutls_free(y.data);
        if (err < 0 || curve != GNUTLS_ECC_CURVE_SECP256R1)
            return PC_ERR_INVALID;
    }
    return PC_OK;
}

pc_status pc_jose_key_import(const json_t *jwk, pc_jose_key **out)
{
    pc_jose_key *k;
    pc_status rc;

    if (out == NULL)
        return PC_ERR_INVALID;
    *out = NULL;
    if (!json_is_object(jwk))
        return PC_ERR_INVALID;
    k = pc_calloc(1, sizeof(*k));
    rc = jwk_meta(jwk, k);
    if (rc != PC_OK)
        goto out;
    rc = load_gnutls_keys(jwk, k);
    if (rc != PC_OK)
        goto out;
    rc = check_key_fits_alg(k);
    if (rc != PC_OK)
        goto out;
    *out = k;
    k = NULL;
out:
    pc_jose_key_free(k);
    return rc;
}

void pc_jose_key_free(pc_jose_key *k)
{
    if (k == NULL)
        return;
    if (k->priv != NULL)
        gnutls_privkey_deinit(k->priv);
    if (k->pub != NULL)
        gnutls_pubkey_deinit(k->pub);
    free(k->kid);
    free(k);
}

const char *pc_jose_key_kid(const pc_jose_key *k)
{
    return k != NULL ? k->kid : NULL;
}

pc_jose_alg pc_jose_key_alg(const pc_jose_key *k)
{
    return k != NULL ? k->alg : PC_ALG_NONE_;
}

int pc_jose_key_can_sign(const pc_jose_key *k)
{
    return k != NULL && k->priv != NULL;
}

/* ---- signing ------------------------------------------------------------------------------- */

/* RFC 7515 §7.1: BASE64URL(UTF8(header)) '.' BASE64URL(payload) */
static pc_status signing_input(const pc_jose_key *k, const char *typ, const json_t *extra,
                               const json_t *claims, char **out)
{
    json_t *h = json_object();
    char *hjson = NULL, *cjson = NULL, *h64 = NULL, *c64 = NULL;
    pc_status rc = PC_ERR_INVALID;

    if (h == NULL || json_object_set_new(h, "alg", json_string(pc_jose_alg_str(k->alg))) != 0)
        goto out;
    if (k->kid != NULL && json_object_set_new(h, "kid", json_string(k->kid)) != 0)
        goto out;
    if (typ != NULL && json_object_set_new(h, "typ", json_string(typ)) != 0)
        goto out;
    if (extra != NULL && json_object_update_missing(h, (json_t *)extra) != 0)
        goto out;
    hjson = dump_compact(h, JSON_PRESERVE_ORDER);
    cjson = dump_compact(claims, 0);
    if (hjson == NULL || cjson == NULL)
        goto out;
    h64 = pc_b64url_encode(hjson, strlen(hjson));
    c64 = pc_b64url_encode(cjson, strlen(cjson));
    *out = pc_asprintf("%s.%s", h64, c64);
    rc = PC_OK;
out:
    json_decref(h);
    free(hjson);
    free(cjson);
    free(h64);
    free(c64);
    return rc;
}

/* DER INTEGERs carry a leading zero when the top bit is set; strip it and left-pad to 32. */
static int put_coord(const gnutls_datum_t *v, uint8_t out[ES256_COORD_LEN])
{
    const uint8_t *p = v->data;
    size_t n = v->size;

    while (n > 0 && *p == 0) {
        p++;
        n--;
    }
    if (n > ES256_COORD_LEN)
        return 0;
    memset(out, 0, ES256_COORD_LEN - n);
    if (n > 0)
        memcpy(out + ES256_COORD_LEN - n, p, n);
    return 1;
}

/* RFC 7518 §3.4: the JWS signature is R || S as fixed-width octets, not GnuTLS's DER. */
static pc_status der_to_raw(const gnutls_datum_t *der, uint8_t raw[2 * ES256_COORD_LEN])
{
    gnutls_datum_t r = {NULL, 0}, s = {NULL, 0};
    pc_status rc = PC_ERR_CRYPTO;

    if (gnutls_decode_rs_value(der, &r, &s) < 0)
        return PC_ERR_CRYPTO;
    if (put_coord(&r, raw) && put_coord(&s, raw + ES256_COORD_LEN))
        rc = PC_OK;
    gnutls_free(r.data);
    gnutls_free(s.data);
    return rc;
}

static pc_status sign_input(const pc_jose_key *k, const char *input, char **sig64)
{
    const alg_info *a = alg_lookup(k->alg);
    gnutls_datum_t data = {(unsigned char *)input, (unsigned int)strlen(input)};
    gnutls_datum_t sig = {NULL, 0};
    uint8_t raw[2 * ES256_COORD_LEN];
    /* RFC 7518 §3.5: the PSS salt is as long as the hash */
    unsigned int flags = k->alg == PC_ALG_PS256 ? GNUTLS_PRIVKEY_FLAG_RSA_PSS_FIXED_SALT_LENGTH : 0;
    pc_status rc = PC_OK;

    if (gnutls_privkey_sign_data2(k->priv, a->sign, flags, &data, &sig) < 0)
        return PC_ERR_CRYPTO;
    if (k->alg == PC_ALG_ES256) {
        rc = der_to_raw(&sig, raw);
        if (rc == PC_OK)
            *sig64 = pc_b64url_encode(raw, sizeof(raw));
    } else {
        *sig64 = pc_b64url_encode(sig.data, sig.size);
    }
    gnutls_free(sig.data);
    return rc;
}

pc_status pc_jose_sign(const pc_jose_key *k, const char *typ, const json_t *claims, char **jwt)
{
    return pc_jose_sign_with(k, typ, NULL, claims, jwt);
}

pc_status pc_jose_sign_with(const pc_jose_key *k, const char *typ, const json_t *header,
                            const json_t *claims, char **jwt)
{
    char *input = NULL, *sig64 = NULL;
    pc_status rc;

    if (jwt == NULL)
        return PC_ERR_INVALID;
    *jwt = NULL;
    /* RFC 7519 §7.1: the claims set is a JSON object */
    if (!pc_jose_key_can_sign(k) || !json_is_object(claims))
        return PC_ERR_INVALID;
    rc = signing_input(k, typ, header, claims, &input);
    if (rc != PC_OK)
        goto out;
    rc = sign_input(k, input, &sig64);
    if (rc != PC_OK)
        goto out;
    *jwt = pc_asprintf("%s.%s", input, sig64);
out:
    free(input);
    free(sig64);
    return rc;
}

/* ---- verification -------------------------------------------------------------------------- */

/* RFC 7515 §7.2 (compact): exactly three parts, two dots; five parts would be a JWE. */
static pc_status split_jws(const char *jwt, jws_parts *p)
{
    size_t len = strnlen(jwt, JWS_MAX_LEN + 1);
    const char *d1, *d2;

    if (len > JWS_MAX_LEN)
        return PC_ERR_INVALID;
    d1 = memchr(jwt, '.', len);
    if (d1 == NULL)
        return PC_ERR_INVALID;
    d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt));
    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)) != NULL)
        return PC_ERR_INVALID;
    p->header = jwt;
    p->header_len = (size_t)(d1 - jwt);
    p->payload = d1 + 1;
    p->payload_len = (size_t)(d2 - d1 - 1);
    p->sig = d2 + 1;
    p->sig_len = len - (size_t)(d2 + 1 - jwt);
    p->input_len = (size_t)(d2 - jwt);
    return p->header_len > 0 ? PC_OK : PC_ERR_INVALID;
}

/* RFC 7515 §2: base64url with all trailing '=' omitted; nothing else is accepted. */
static pc_status decode_part(const char *s, size_t len, uint8_t **out, size_t *outlen)
{
    if (memchr(s, '=', len) != NULL)
        return PC_ERR_INVALID;
    return pc_b64url_decode(s, len, out, outlen);
}

static pc_status parse_object(const char *b64, size_t len, json_t **out)
{
    uint8_t *raw = NULL;
    size_t n;
    json_t *j;

    if (decode_part(b64, len, &raw, &n) != PC_OK)
        return PC_ERR_INVALID;
    /* RFC 7515 §5.2 step 4 and RFC 7519 §4: duplicate member names are refused */
    j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (!json_is_object(j)) {
        json_decref(j);
        return PC_ERR_INVALID;
    }
    *out = j;
    return PC_OK;
}

static const pc_jose_key *find_kid(const pc_jose_key *const *keys, size_t nkeys, const char *kid)
{
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i] != NULL && keys[i]->kid != NULL && strcmp(keys[i]->kid, kid) == 0)
            return keys[i];
    return NULL;
}

static pc_status choose_key(const pc_jose_key *const *keys, size_t nkeys, const json_t *hdr,
                            const pc_jose_key **out)
{
    const json_t *alg = json_object_get(hdr, "alg");
    const json_t *kid = json_object_get(hdr, "kid");
    const pc_jose_key *k = NULL;

    if (!json_is_string(alg) || (kid != NULL && !json_is_string(kid)))
        return PC_ERR_INVALID;
    /* RFC 7515 §4.1.11: we understand no extension, so any "crit" is refused */
    if (json_object_get(hdr, "crit") != NULL)
        return PC_ERR_INVALID;
    if (kid != NULL)
        k = find_kid(keys, nkeys, json_string_value(kid));
    else if (nkeys == 1)
        k = keys[0];
    if (k == NULL)
        return PC_ERR_DENIED;
    /* RFC 8725 §3.1: the key fixes the alg; the header may only agree ("none", HS256 never do) */
    if (pc_jose_alg_from_str(json_string_value(alg)) != k->alg)
        return PC_ERR_DENIED;
    *out = k;
    return PC_OK;
}

/* RFC 7518 §3.4: R || S must be exactly 64 octets; GnuTLS wants DER. */
static pc_status raw_to_der(const uint8_t *raw, size_t len, gnutls_datum_t *der)
{
    const gnutls_datum_t r = {(unsigned char *)raw, ES256_COORD_LEN};
    const gnutls_datum_t s = {(unsigned char *)raw + ES256_COORD_LEN, ES256_COORD_LEN};

    if (len != 2 * ES256_COORD_LEN)
        return PC_ERR_DENIED;
    return gnutls_encode_rs_value(der, &r, &s) < 0 ? PC_ERR_DENIED : PC_OK;
}

static pc_status check_signature(const pc_jose_key *k, const jws_parts *p)
{
    const alg_info *a = alg_lookup(k->alg);
    const gnutls_datum_t data = {(unsigned char *)p->header, (unsigned int)p->input_len};
    gnutls_datum_t der = {NULL, 0}, sig;
    uint8_t *raw = NULL;
    size_t len;
    /* RFC 7518 §3.5: the PSS salt is as long as the hash */
    unsigned int flags = k->alg == PC_ALG_PS256 ? GNUTLS_VERIFY_RSA_PSS_FIXED_SALT_LENGTH : 0;
    pc_status rc = PC_OK;

    if (decode_part(p->sig, p->sig_len, &raw, &len) != PC_OK)
        return PC_ERR_INVALID;
    sig.data = raw;
    sig.size = (unsigned int)len;
    if (k->alg == PC_ALG_ES256) {
        rc = raw_to_der(raw, len, &der);
        if (rc != PC_OK)
            goto out;
        sig = der;
    }
    if (gnutls_pubkey_verify_data2(k->pub, a->sign, flags, &data, &sig) < 0)
        rc = PC_ERR_DENIED;
out:
    gnutls_free(der.data);
    free(raw);
    return rc;
}

pc_status pc_jose_verify(const pc_jose_key *const *keys, size_t nkeys, const char *jwt,
                         json_t **header, json_t **claims)
{
    jws_parts parts;
    json_t *hdr = NULL, *body = NULL;
    const pc_jose_key *k = NULL;
    pc_status rc;

    if (header != NULL)
        *header = NULL;
    if (claims == NULL || jwt == NULL || (keys == NULL && nkeys > 0))
        return PC_ERR_INVALID;
    *claims = NULL;
    rc = split_jws(jwt, &parts);
    if (rc != PC_OK)
        return rc;
    rc = parse_object(parts.header, parts.header_len, &hdr);
    if (rc != PC_OK)
        goto out;
    rc = choose_key(keys, nkeys, hdr, &k);
    if (rc != PC_OK)
        goto out;
    /* RFC 7515 §5.2 step 8 comes before the payload is parsed: only authenticated JSON is read */
    rc = check_signature(k, &parts);
    if (rc != PC_OK)
        goto out;
    rc = parse_object(parts.payload, parts.payload_len, &body);
    if (rc != PC_OK)
        goto out;
    *claims = body;
    body = NULL;
    if (header != NULL) {
        *header = hdr;
        hdr = NULL;
    }
out:
    json_decref(hdr);
    json_decref(body);
    return rc;
}

pc_status pc_jose_verify_hs256(const char *secret, const char *jwt, json_t **claims)
{
    jws_parts parts;
    json_t *hdr = NULL;
    uint8_t mac[32], *sig = NULL;
    size_t siglen = 0;
    pc_status rc;

    *claims = NULL;
    if (secret == NULL || jwt == NULL || split_jws(jwt, &parts) != PC_OK)
        return PC_ERR_INVALID;
    rc = parse_object(parts.header, parts.header_len, &hdr);
    if (rc != PC_OK)
        return rc;
    /* RFC 8725 §3.1: the key fixes the alg; a shared secret only ever checks HS256 */
    rc = str_member_is(hdr, "alg", "HS256") && json_object_get(hdr, "crit") == NULL ? PC_OK
                                                                                    : PC_ERR_DENIED;
    json_decref(hdr);
    if (rc != PC_OK)
        return rc;
    if (decode_part(parts.sig, parts.sig_len, &sig, &siglen) != PC_OK)
        return PC_ERR_INVALID;
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, strlen(secret), parts.header, parts.input_len, mac);
    rc = pc_ct_equal(mac, sizeof mac, sig, siglen) ? PC_OK : PC_ERR_DENIED;
    free(sig);
    if (rc == PC_OK)
        rc = parse_object(parts.payload, parts.payload_len, claims);
    return rc;
}

pc_status pc_jose_peek(const char *jwt, json_t **header, json_t **claims)
{
    jws_parts parts;
    json_t *h = NULL, *c = NULL;

    if (header != NULL)
        *header = NULL;
    if (claims != NULL)
        *claims = NULL;
    if (jwt == NULL || split_jws(jwt, &parts) != PC_OK)
        return PC_ERR_INVALID;
    if (parse_object(parts.header, parts.header_len, &h) != PC_OK ||
        parse_object(parts.payload, parts.payload_len, &c) != PC_OK) {
        json_decref(h);
        return PC_ERR_INVALID;
    }
    if (header != NULL)
        *header = json_incref(h);
    if (claims != NULL)
        *claims = json_incref(c);
    json_decref(h);
    json_decref(c);
    return PC_OK;
}

/* RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
static const char *const *thumbprint_members(const char *kty)
{
    static const char *const ec[] = {"crv", "kty", "x", "y", NULL};
    static const char *const okp[] = {"crv", "kty", "x", NULL};
    static const char *const rsa[] = {"e", "kty", "n", NULL};

    if (kty == NULL)
        return NULL;
    if (strcmp(kty, "EC") == 0)
        return ec;
    if (strcmp(kty, "OKP") == 0)
        return okp;
    return strcmp(kty, "RSA") == 0 ? rsa : NULL;
}

char *pc_jose_jwk_thumbprint(const json_t *jwk)
{
    const char *const *m = thumbprint_members(json_string_value(json_object_get(jwk, "kty")));
    json_t *req = json_object();
    char *text = NULL, *out = NULL;
    uint8_t d[32];

    for (; m != NULL && *m != NULL; m++) {
        const json_t *v = json_object_get(jwk, *m);
        if (!json_is_string(v))
            goto done;
        json_object_set(req, *m, (json_t *)v);
    }
    if (m == NULL)
        goto done;
    /* RFC 7638 §3.3: no whitespace, members sorted (jansson sorts with JSON_SORT_KEYS) */
    text = dump_compact(req, JSON_SORT_KEYS);
    if (text != NULL && gnutls_hash_fast(GNUTLS_DIG_SHA256, text, strlen(text), d) == 0)
        out = pc_b64url_encode(d, sizeof d);
done:
    free(text);
    json_decref(req);
    return out;
}

/*
 * OIDC Core §3.1.3.6 (at_hash) and §3.3.2.11 (c_hash): the left half of the alg's hash. The spec
 * names no hash for EdDSA; the OpenID Connect WG chose SHA-512 for Ed25519 (openid/connect#1125).
 */
char *pc_jose_half_hash(pc_jose_alg alg, const char *value)
{
    uint8_t d[64];
    int sha512 = alg == PC_ALG_EDDSA;
    gnutls_digest_algorithm_t dig = sha512 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA256;

    if (value == NULL || alg_lookup(alg) == NULL)
        return NULL;
    if (gnutls_hash_fast(dig, value, strlen(value), d) < 0)
        return NULL;
    return pc_b64url_encode(d, sha512 ? 32 : 16);
}
