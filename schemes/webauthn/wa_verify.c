/* SPDX-License-Identifier: Apache-2.0 */
/* The WebAuthn L2 ceremonies' checks (§7.1 registration, §7.2 authentication), free of any server state. */
#include "wa_verify.h"
#include "wa_b64.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLIENT_DATA 4096
#define MAX_ATTESTATION 16384
#define MAX_AUTH_DATA 4096
#define MAX_SIG 1024

static int import_key(gnutls_pubkey_t pub, const wa_cose_key *k)
{
    gnutls_datum_t x = {(unsigned char *)k->x, 32}, y = {(unsigned char *)k->y, 32};
    gnutls_datum_t n = {(unsigned char *)k->n, (unsigned)k->n_len};
    gnutls_datum_t e = {(unsigned char *)k->e, (unsigned)k->e_len};

    switch (k->alg) {
    case WA_ALG_ES256: return gnutls_pubkey_import_ecc_raw(pub, GNUTLS_ECC_CURVE_SECP256R1, &x, &y);
    case WA_ALG_EDDSA: return gnutls_pubkey_import_ecc_raw(pub, GNUTLS_ECC_CURVE_ED25519, &x, NULL);
    case WA_ALG_RS256: return gnutls_pubkey_import_rsa_raw(pub, &n, &e);
    default: return -1;
    }
}

int wa_sig_verify(const wa_cose_key *k, const uint8_t *data, size_t n, const uint8_t *sig,
                  size_t sig_len)
{
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t d = {(unsigned char *)data, (unsigned)n},
                   s = {(unsigned char *)sig, (unsigned)sig_len};
    gnutls_sign_algorithm_t algo = k->alg == WA_ALG_ES256   ? GNUTLS_SIGN_ECDSA_SHA256
                                   : k->alg == WA_ALG_EDDSA ? GNUTLS_SIGN_EDDSA_ED25519
                                                            : GNUTLS_SIGN_RSA_SHA256;
    int rc = -1;

    if (sig == NULL || sig_len == 0 || gnutls_pubkey_init(&pub) < 0)
        return -1;
    if (import_key(pub, k) >= 0 && gnutls_pubkey_verify_data2(pub, algo, 0, &d, &s) >= 0)
        rc = 0;
    gnutls_pubkey_deinit(pub);
    return rc;
}

void wa_new_cred_clear(wa_new_cred *c)
{
    free(c->id);
    free(c->public_key);
    free(c->fmt);
    memset(c, 0, sizeof *c);
}

/* A base64url member of `obj`, decoded (new) within max bytes; 0 on success. */
static int member_bytes(const json_t *obj, const char *name, size_t max, uint8_t **out, size_t *n)
{
    return wa_b64url_decode(json_string_value(json_object_get(obj, name)), max, out, n);
}

const char *wa_response_id(const json_t *cred)
{
    const char *id = json_string_value(json_object_get(cred, "id"));
    const char *raw = json_string_value(json_object_get(cred, "rawId"));
    const char *type = json_string_value(json_object_get(cred, "type"));
    uint8_t *bytes = NULL;
    size_t n = 0;
    int ok;

    if (id == NULL || type == NULL || strcmp(type, "public-key") != 0 ||
        (raw != NULL && strcmp(raw, id) != 0))
        return NULL;
    ok = wa_b64url_decode(id, WA_MAX_CRED_ID, &bytes, &n) == 0 && n > 0;
    free(bytes);
    return ok ? id : NULL;
}

/* §7.1 steps 5-12 / §7.2 steps 10-14: clientDataJSON's type, challenge and origin. */
static const char *client_data_check(const uint8_t *cdj, size_t n, const char *type,
                                     const wa_expect *e)
{
    json_t *cd = json_loadb((const char *)cdj, n, JSON_REJECT_DUPLICATES, NULL);
    const char *t = json_string_value(json_object_get(cd, "type"));
    const char *ch = json_string_value(json_object_get(cd, "challenge"));
    const char *origin = json_string_value(json_object_get(cd, "origin"));
    const char *err = NULL;
    size_t i;

    if (!json_is_object(cd))
        err = "clientDataJSON is not a JSON object";
    else if (t == NULL || strcmp(t, type) != 0)
        err = "clientDataJSON has the wrong type";
    else if (ch == NULL || e->challenge == NULL || strcmp(ch, e->challenge) != 0)
        err = "clientDataJSON has another challenge than the one issued";
    else if (json_is_true(json_object_get(cd, "crossOrigin")))
        err = "the response was made in a cross-origin frame";
    if (err == NULL) {
        for (i = 0; origin != NULL && i < e->n_origins; i++)
            if (strcmp(origin, e->origins[i]) == 0)
                break;
        if (origin == NULL || i == e->n_origins)
            err = "clientDataJSON comes from an origin that is not allowed";
    }
    json_decref(cd);
    return err;
}

/* §7.1 steps 13-16 / §7.2 steps 15-17: rpIdHash, user present, user verified, backup flags. */
static const char *auth_data_check(const wa_auth_data *ad, const wa_expect *e)
{
    uint8_t hash[32];

    if (e->rp_id == NULL ||
        gnutls_hash_fast(GNUTLS_DIG_SHA256, e->rp_id, strlen(e->rp_id), hash) < 0 ||
        memcmp(hash, ad->rp_id_hash, sizeof hash) != 0)
        return "the authenticator data is for another rpId";
    if (!(ad->flags & WA_FLAG_UP))
        return "the user was not present (flag UP)";
    if (e->require_uv && !(ad->flags & WA_FLAG_UV))
        return "the user was not verified (flag UV) and this site requires it";
    if ((ad->flags & WA_FLAG_BS) && !(ad->flags & WA_FLAG_BE))
        return "the backup flags are inconsistent (BS without BE)";
    return NULL;
}

/* authenticatorData || SHA-256(clientDataJSON): what both ceremonies sign (§6.3.3, §7.2 step 19). */
static uint8_t *signed_bytes(const uint8_t *ad, size_t ad_len, const uint8_t *cdj, size_t cdj_len,
                             size_t *n)
{
    uint8_t *buf = malloc(ad_len + 32);

    if (buf == NULL)
        return NULL;
    memcpy(buf, ad, ad_len);
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, cdj, cdj_len, buf + ad_len) < 0) {
        free(buf);
        return NULL;
    }
    *n = ad_len + 32;
    return buf;
}

/* §8.2 (packed, self attestation) and §8.7 (none). */
static const char *statement_check(const wa_attestation *at, const wa_cose_key *key,
                                   const uint8_t *cdj, size_t cdj_len)
{
    uint8_t *msg;
    size_t n = 0;
    int bad;

    if (strcmp(at->fmt, "none") == 0)
        return at->stmt_empty ? NULL : "attestation \"none\" must have an empty statement";
    if (strcmp(at->fmt, "packed") != 0)
        return "only the attestation formats \"none\" and \"packed\" are accepted";
    if (at->stmt_empty || !at->has_alg)
        return "packed attestation needs alg and sig";
    if (at->has_x5c)
        return "packed attestation with a certificate chain is not accepted; ask for \"none\"";
    if (at->alg != key->alg)
        return "packed self attestation: alg differs from the credential's";
    msg = signed_bytes(at->auth_data, at->auth_data_len, cdj, cdj_len, &n);
    bad = msg == NULL || wa_sig_verify(key, msg, n, at->sig, at->sig_len) != 0;
    free(msg);
    return bad ? "packed self attestation: the signature does not verify" : NULL;
}

static const char *registration_body(const json_t *cred, const uint8_t *cdj, size_t cdj_len,
                                     const wa_attestation *at, const wa_expect *e, wa_new_cred *out)
{
    wa_auth_data ad;
    wa_cose_key key;
    const char *err, *id = wa_response_id(cred);
    char *ad_id;

    if ((err = wa_auth_data_parse(at->auth_data, at->auth_data_len, &ad)) != NULL ||
        (err = auth_data_check(&ad, e)) != NULL)
        return err;
    if (!(ad.flags & WA_FLAG_AT) || ad.cred_id == NULL)
        return "the authenticator data has no attested credential";
    ad_id = wa_b64url_encode(ad.cred_id, ad.cred_id_len);
    if (ad_id == NULL || id == NULL || strcmp(ad_id, id) != 0) {
        free(ad_id);
        return "the credential id differs from the authenticator data's";
    }
    if ((err = wa_cose_key_parse(ad.cose_key, ad.cose_key_len, &key)) != NULL ||
        (err = statement_check(at, &key, cdj, cdj_len)) != NULL) {
        free(ad_id);
        return err;
    }
    out->id = ad_id;
    out->public_key = wa_b64url_encode(ad.cose_key, ad.cose_key_len);
    out->alg = key.alg;
    out->sign_count = ad.sign_count;
    out->flags = ad.flags;
    out->fmt = strdup(at->fmt);
    return out->public_key != NULL && out->fmt != NULL ? NULL : "out of memory";
}

const char *wa_registration_verify(const json_t *cred, const wa_expect *e, wa_new_cred *out)
{
    const json_t *resp = json_object_get(cred, "response");
    uint8_t *cdj = NULL, *ao = NULL;
    size_t cdj_len = 0, ao_len = 0;
    wa_attestation at = {0};
    const char *err;

    memset(out, 0, sizeof *out);
    if (wa_response_id(cred) == NULL || !json_is_object(resp))
        err = "the credential is not a public-key credential with an id and a response";
    else if (member_bytes(resp, "clientDataJSON", MAX_CLIENT_DATA, &cdj, &cdj_len) != 0)
        err = "response.clientDataJSON is not base64url of at most 4 KiB";
    else if (member_bytes(resp, "attestationObject", MAX_ATTESTATION, &ao, &ao_len) != 0)
        err = "response.attestationObject is not base64url of at most 16 KiB";
    else if ((err = client_data_check(cdj, cdj_len, "webauthn.create", e)) == NULL &&
             (err = wa_attestation_parse(ao, ao_len, &at)) == NULL)
        err = registration_body(cred, cdj, cdj_len, &at, e, out);
    if (err != NULL)
        wa_new_cred_clear(out);
    wa_attestation_clear(&at);
    free(cdj);
    free(ao);
    return err;
}

static const char *assertion_sig(const uint8_t *ad, size_t ad_len, const uint8_t *cdj,
                                 size_t cdj_len, const json_t *resp, const char *public_key)
{
    uint8_t *cose = NULL, *sig = NULL, *msg = NULL;
    size_t cose_len = 0, sig_len = 0, n = 0;
    wa_cose_key key;
    const char *err = NULL;

    if (wa_b64url_decode(public_key, 2048, &cose, &cose_len) != 0 ||
        wa_cose_key_parse(cose, cose_len, &key) != NULL)
        err = "the stored public key is unusable";
    else if (member_bytes(resp, "signature", MAX_SIG, &sig, &sig_len) != 0 || sig_len == 0)
        err = "response.signature is not base64url";
    else if ((msg = signed_bytes(ad, ad_len, cdj, cdj_len, &n)) == NULL ||
             wa_sig_verify(&key, msg, n, sig, sig_len) != 0)
        err = "the signature does not verify with the credential's public key";
    free(cose);
    free(sig);
    free(msg);
    return err;
}

const char *wa_assertion_verify(const json_t *cred, const wa_expect *e, const char *public_key,
                                uint32_t stored_count, wa_assertion *out)
{
    const json_t *resp = json_object_get(cred, "response");
    uint8_t *cdj = NULL, *ad = NULL;
    size_t cdj_len = 0, ad_len = 0;
    wa_auth_data parsed;
    const char *err;

    memset(out, 0, sizeof *out);
    if (wa_response_id(cred) == NULL || !json_is_object(resp))
        err = "the credential is not a public-key credential with an id and a response";
    else if (member_bytes(resp, "clientDataJSON", MAX_CLIENT_DATA, &cdj, &cdj_len) != 0)
        err = "response.clientDataJSON is not base64url of at most 4 KiB";
    else if (member_bytes(resp, "authenticatorData", MAX_AUTH_DATA, &ad, &ad_len) != 0)
        err = "response.authenticatorData is not base64url of at most 4 KiB";
    else if ((err = client_data_check(cdj, cdj_len, "webauthn.get", e)) == NULL &&
             (err = wa_auth_data_parse(ad, ad_len, &parsed)) == NULL &&
             (err = auth_data_check(&parsed, e)) == NULL)
        err = assertion_sig(ad, ad_len, cdj, cdj_len, resp, public_key);
    if (err == NULL) {
        out->sign_count = parsed.sign_count;
        out->flags = parsed.flags;
        /* §6.1.1: a counter that does not grow may mean a cloned authenticator. */
        out->count_decreased =
            (parsed.sign_count != 0 || stored_count != 0) && parsed.sign_count <= stored_count;
    }
    free(cdj);
    free(ad);
    return err;
}
