/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for core/jose/jose.c: keys, compact JWS sign and verify, at_hash/c_hash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <rhonabwy.h>

#include "jose/jose.h"
#include "util/crypto.h"

static const pc_jose_alg all_algs[] = {PC_ALG_RS256, PC_ALG_PS256, PC_ALG_ES256, PC_ALG_EDDSA};
#define NALGS (sizeof(all_algs) / sizeof(all_algs[0]))

/* RFC 7515 §A.2.1, §A.3.1: the JWS Payload {"iss":"joe",\r\n "exp":1300819380,\r\n ...} */
#define RFC7515_PAYLOAD                                                \
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt" \
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"

/* RFC 7515 Appendix A.1: HS256 (must be refused whatever the key). */
static const char rfc7515_a1_jws[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." RFC7515_PAYLOAD
                                     ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/* RFC 7515 Appendix A.2: RS256; the public key is n and e of the example key. */
static const char rfc7515_a2_n[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0B"
    "m4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5"
    "z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7"
    "aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
static const char rfc7515_a2_jws[] =
    "eyJhbGciOiJSUzI1NiJ9." RFC7515_PAYLOAD
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2"
    "Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQ"
    "BMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6Ie"
    "YI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

/* RFC 7515 Appendix A.3: ES256, public JWK and JWS. */
static const char rfc7515_a3_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\","
                                     "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                                     "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";
static const char rfc7515_a3_jws[] =
    "eyJhbGciOiJFUzI1NiJ9." RFC7515_PAYLOAD
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

/* RFC 8037 Appendix A.1 (private key), A.2 (public key) and A.4 (the Ed25519 JWS). */
static const char rfc8037_a1_jwk[] = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                                     "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
                                     "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
static const char rfc8037_a2_jwk[] = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                                     "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
static const char rfc8037_a4_jws[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/*
 * Not an RFC vector: tokens made once with Python cryptography 48.0.0 over a fresh RSA-2048 key
 * (public modulus below), claims {"iss":"python"}, all RSASSA-PSS with SHA-256 and MGF1-SHA-256:
 * header {"alg":"PS256","kid":"py-ps256"} with the salt RFC 7518 §3.5 requires (32 octets);
 * the same header with the maximum salt (must be refused); and header {"alg":"RS256",...} over a
 * valid 32-octet-salt PSS signature (alg confusion: must be refused by a PS256 key).
 */
static const char py_ps256_n[] =
    "rFoFABnxH8zXlqZeUYDGENCCMzDYzmSTfXr48a1VZOyafs3W5ZqY72GngwCCO6kcsjn4o6evMy0RBuKB_jZbAOyr48"
    "V8peXLsWt4tq9QP3dEHIYnh8zhBP8PkXjjGSbwfv5ccRNJ_3FGVr-sHJSLt_e7O3knvtyj9HlXMDRDL76FZ3-RxQJt"
    "WsJ-77sKRT0kqiFdox5pIu_YbUpBPFhlNTdtmcvErdmlhZ6L6kyRVKwwPAw0kagmgGFUwicQdOCm7hyqEqgHjwC2bA"
    "iLXkiNQDglbtbS8O15U9qCSlDqcJCqOcBNc8-3wm__s3KJ_9gPFnkyXODYdVlwHh1CI34MsQ";
#define PY_PS256_INPUT "eyJhbGciOiJQUzI1NiIsImtpZCI6InB5LXBzMjU2In0.eyJpc3MiOiJweXRob24ifQ."
static const char py_ps256_salt32[] = PY_PS256_INPUT
    "GzT3OIB1Te6XZQGmQsKtLZAu8cYjCsgILZ26QZg-74gWGfKGFTjjC6GLcXUYiIMmT60RVt_WxfdkKrVTk8m5QRsZse"
    "6MiZ7cUnpK5j_S5FYBR7_o7hXaTbZWZmKDNecVGRZw4iXCL_cpt3cszp_wmPkaNeT0X_JuTo0iVJhxYGjlss5SppvE"
    "18--cejl1zQicrPcwiYl9HtvXq_QV7IO3gZPOz_UTc2QBo2T-euNd5vhjeJ9JvCtZTHc9ECv1FSPo8DRg8giXu6-JS"
    "7hey8AFDR7d3Eh6SXdXdlSP2hGJB45PxKhkoajgeJAZ4hzc9cVh2X-hvBMD4t5Bo3ELhNGlQ";
static const char py_ps256_saltmax[] = PY_PS256_INPUT
    "XDaKemUIuwqQ34H-LRCRdA8JjHOjh9jLGu3J0zy_PoWm9vs2-VCQ7j0FqMYZaHSq-7FwaPwr6rDxSYYGkOe96AzE6R"
    "GdePZ04U6OvjDrZz7zYLEaVQcq19QD-QlBnzwKCahEUFsRZYM3jrcZEpxeZcLghfwb-0lleaZ2zIbPWDgYeqdy6bTI"
    "1mpKipeyiafm06-YtEIcB4iyR3pJH8QuQRhwmUBJGrwmA8_4KnqjW8VX-TUFwDvNDgkXaLGBorjJa8VVquMV7ynalT"
    "d2sxo5dpt8JQ6vP4Nchp7Ige2D7EgL-gEBxumhNv-KbB152i22NS_HfVToR3aK9jwbNQ0kHA";
static const char py_rs256_header_pss_sig[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InB5LXBzMjU2In0.eyJpc3MiOiJweXRob24ifQ."
    "kXHOjhkDu2udUCOqUsngtlRI6liRlP2uCofQuPMFp0QAzZhTw3dMMrnwp8D6LGG44-bP--xiYcGdB9VVpi_rn5SSn3"
    "sBRHdHWIGMBDl2466O-TKBEM4q3mnWFbUx_cTp5BLq56b2FslVFcFooA-lGQaxojdsgcFfvt4Zzp7dqa9Ate3sForA"
    "ZYNyVADFjYFml4I-wNsrpUiBbs3ujaMzkKJe1O7G_7gLVMnKUah-XcJqK30D62kN_HUyF32eyAiT_Ghro1o0T9F1eL"
    "Vb540T6nPek-9lsGhTEWv9GSm0UdC8r5ja518iG3WmCPNfpJ3Qy0PLH-m0CLf7XsNh7mO6Ng";

/* ---- helpers ------------------------------------------------------------------------------- */

static json_t *parse_json(const char *s)
{
    json_t *j = json_loads(s, 0, NULL);

    assert_non_null(j);
    return j;
}

static pc_jose_key *import_str(const char *jwk_json)
{
    json_t *j = parse_json(jwk_json);
    pc_jose_key *k = NULL;

    assert_int_equal(pc_jose_key_import(j, &k), PC_OK);
    json_decref(j);
    return k;
}

static pc_status import_status(const char *jwk_json)
{
    json_t *j = parse_json(jwk_json);
    pc_jose_key *k = (pc_jose_key *)&k;
    pc_status rc = pc_jose_key_import(j, &k);

    if (rc == PC_OK)
        pc_jose_key_free(k);
    else
        assert_null(k);
    json_decref(j);
    return rc;
}

static char *rsa_pub_jwk(const char *n, const char *alg, const char *kid)
{
    char *s = NULL;

    assert_true(
        asprintf(&s, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\",\"alg\":\"%s\",\"kid\":\"%s\"}",
                 n, alg, kid) > 0);
    return s;
}

typedef struct key_pair {
    pc_jose_key *priv, *pub;
} key_pair;

static key_pair make_pair(pc_jose_alg alg, const char *kid)
{
    json_t *jpriv = NULL, *jpub = NULL;
    key_pair kp = {NULL, NULL};

    assert_int_equal(pc_jose_key_generate(alg, kid, &jpriv, &jpub), PC_OK);
    assert_int_equal(pc_jose_key_import(jpriv, &kp.priv), PC_OK);
    assert_int_equal(pc_jose_key_import(jpub, &kp.pub), PC_OK);
    json_decref(jpriv);
    json_decref(jpub);
    return kp;
}

static void free_pair(key_pair kp)
{
    pc_jose_key_free(kp.priv);
    pc_jose_key_free(kp.pub);
}

static pc_status verify1(const pc_jose_key *k, const char *jwt)
{
    json_t *claims = (json_t *)&claims;
    pc_status rc = pc_jose_verify(&k, 1, jwt, NULL, &claims);

    if (rc == PC_OK)
        json_decref(claims);
    else
        assert_null(claims);
    return rc;
}

/* A copy of jwt with one byte of part `part` (0..2) flipped, re-encoded canonically. */
static char *tamper(const char *jwt, int part, size_t byte)
{
    const char *d1 = strchr(jwt, '.'), *d2 = strchr(d1 + 1, '.');
    const char *start[3] = {jwt, d1 + 1, d2 + 1};
    const size_t len[3] = {(size_t)(d1 - jwt), (size_t)(d2 - d1 - 1), strlen(d2 + 1)};
    uint8_t *raw;
    size_t n;
    char *enc, *out;

    assert_int_equal(pc_b64url_decode(start[part], len[part], &raw, &n), PC_OK);
    assert_true(byte < n);
    raw[byte] ^= 0x01;
    enc = pc_b64url_encode(raw, n);
    out = malloc(strlen(jwt) + strlen(enc) + 3);
    assert_non_null(out);
    out[0] = '\0';
    for (int i = 0; i < 3; i++) {
        if (i > 0)
            strcat(out, ".");
        if (i == part)
            strcat(out, enc);
        else
            strncat(out, start[i], len[i]);
    }
    free(enc);
    free(raw);
    return out;
}

/* header_json '.' payload '.' sig, with header and payload base64url-encoded here. */
static char *make_jws(const char *header_json, const char *payload_json, const char *sig)
{
    char *h = pc_b64url_encode(header_json, strlen(header_json));
    char *p = pc_b64url_encode(payload_json, strlen(payload_json));
    char *out = NULL;

    assert_true(asprintf(&out, "%s.%s.%s", h, p, sig) > 0);
    free(h);
    free(p);
    return out;
}

/* ---- algorithm names ----------------------------------------------------------------------- */

static void test_alg_names(void **state)
{
    assert_int_equal(pc_jose_alg_from_str("RS256"), PC_ALG_RS256);
    assert_int_equal(pc_jose_alg_from_str("PS256"), PC_ALG_PS256);
    assert_int_equal(pc_jose_alg_from_str("ES256"), PC_ALG_ES256);
    assert_int_equal(pc_jose_alg_from_str("EdDSA"), PC_ALG_EDDSA);
    assert_int_equal(pc_jose_alg_from_str("none"), PC_ALG_NONE_);
    assert_int_equal(pc_jose_alg_from_str("HS256"), PC_ALG_NONE_);
    assert_int_equal(pc_jose_alg_from_str("rs256"), PC_ALG_NONE_);
    assert_int_equal(pc_jose_alg_from_str(""), PC_ALG_NONE_);
    assert_int_equal(pc_jose_alg_from_str(NULL), PC_ALG_NONE_);
    for (size_t i = 0; i < NALGS; i++)
        assert_int_equal(pc_jose_alg_from_str(pc_jose_alg_str(all_algs[i])), all_algs[i]);
    assert_null(pc_jose_alg_str(PC_ALG_NONE_));
}

/* ---- keys ---------------------------------------------------------------------------------- */

static void test_generate_jwk_members(void **state)
{
    for (size_t i = 0; i < NALGS; i++) {
        json_t *priv = NULL, *pub = NULL;
        const char *name = pc_jose_alg_str(all_algs[i]);

        assert_int_equal(pc_jose_key_generate(all_algs[i], "kid-gen", &priv, &pub), PC_OK);
        assert_string_equal(json_string_value(json_object_get(priv, "kid")), "kid-gen");
        assert_string_equal(json_string_value(json_object_get(pub, "kid")), "kid-gen");
        assert_string_equal(json_string_value(json_object_get(priv, "alg")), name);
        assert_string_equal(json_string_value(json_object_get(pub, "alg")), name);
        assert_string_equal(json_string_value(json_object_get(priv, "use")), "sig");
        assert_string_equal(json_string_value(json_object_get(pub, "use")), "sig");
        assert_non_null(json_object_get(priv, "d"));
        assert_null(json_object_get(pub, "d"));
        json_decref(priv);
        json_decref(pub);
    }
    assert_int_equal(pc_jose_key_generate(PC_ALG_NONE_, "k", NULL, NULL), PC_ERR_INVALID);
}

static void test_import_accessors(void **state)
{
    for (size_t i = 0; i < NALGS; i++) {
        key_pair kp = make_pair(all_algs[i], "kid-acc");

        assert_string_equal(pc_jose_key_kid(kp.priv), "kid-acc");
        assert_string_equal(pc_jose_key_kid(kp.pub), "kid-acc");
        assert_int_equal(pc_jose_key_alg(kp.priv), all_algs[i]);
        assert_int_equal(pc_jose_key_alg(kp.pub), all_algs[i]);
        assert_true(pc_jose_key_can_sign(kp.priv));
        assert_false(pc_jose_key_can_sign(kp.pub));
        free_pair(kp);
    }
    assert_null(pc_jose_key_kid(NULL));
    assert_int_equal(pc_jose_key_alg(NULL), PC_ALG_NONE_);
    assert_false(pc_jose_key_can_sign(NULL));
    pc_jose_key_free(NULL);
}

/* Generates a JWK with rhonabwy directly, for key types pc_jose_key_generate refuses to make. */
static json_t *rhn_public_jwk(int type, unsigned int bits)
{
    jwk_t *priv, *pub;
    json_t *j;

    assert_int_equal(r_jwk_init(&priv), RHN_OK);
    assert_int_equal(r_jwk_init(&pub), RHN_OK);
    assert_int_equal(r_jwk_generate_key_pair(priv, pub, type, bits, "weak"), RHN_OK);
    j = r_jwk_export_to_json_t(pub);
    r_jwk_free(priv);
    r_jwk_free(pub);
    return j;
}

/* The RFC 7515 A.3 public key with `extra` members spliced in ("" for none). */
static char *a3_jwk_with(const char *extra)
{
    char *s = NULL;

    assert_true(asprintf(&s, "{%s%s", extra, rfc7515_a3_jwk + 1) > 0);
    return s;
}

static void test_import_refuses(void **state)
{
    static const char *const ec_extras[] = {
        "\"alg\":\"RS256\",",                     /* an EC key claiming an RSA algorithm */
        "\"alg\":\"HS256\",",                     /* or an HMAC one */
        "\"alg\":\"none\",",  "\"use\":\"enc\",", /* RFC 7517 §4.2: not a signing key */
        "\"kid\":7,",         "\"kid\":\"\",",
    };
    char *rsa_es = rsa_pub_jwk(rfc7515_a2_n, "ES256", "k"), *rsa_noalg = NULL;
    json_t *p384 = rhn_public_jwk(R_KEY_TYPE_EC, 384),
           *rsa1024 = rhn_public_jwk(R_KEY_TYPE_RSA, 1024);
    pc_jose_key *k = NULL;

    for (size_t i = 0; i < sizeof(ec_extras) / sizeof(ec_extras[0]); i++) {
        char *jwk = a3_jwk_with(ec_extras[i]);
        assert_int_equal(import_status(jwk), PC_ERR_INVALID);
        free(jwk);
    }
    /* RFC 8725 §2.1: no symmetric keys, whatever alg they claim */
    assert_int_equal(import_status("{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":"
                                   "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"),
                     PC_ERR_INVALID);
    assert_int_equal(import_status("{\"kty\":\"oct\",\"alg\":\"ES256\",\"k\":"
                                   "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"),
                     PC_ERR_INVALID);
    assert_int_equal(import_status(rsa_es), PC_ERR_INVALID);
    /* an RSA key without alg could be RS256 or PS256 */
    assert_true(
        asprintf(&rsa_noalg, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}", rfc7515_a2_n) > 0);
    assert_int_equal(import_status(rsa_noalg), PC_ERR_INVALID);
    assert_int_equal(
        import_status("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}"),
        PC_ERR_INVALID);
    assert_int_equal(import_status("{}"), PC_ERR_INVALID);
    assert_int_equal(import_status("[]"), PC_ERR_INVALID);
    /* RFC 7518 §3.4: ES256 is P-256 only; §3.3: RSA keys are at least 2048 bits */
    assert_int_equal(pc_jose_key_import(p384, &k), PC_ERR_INVALID);
    json_object_set_new(p384, "alg", json_string("ES256"));
    assert_int_equal(pc_jose_key_import(p384, &k), PC_ERR_INVALID);
    json_object_set_new(rsa1024, "alg", json_string("RS256"));
    assert_int_equal(pc_jose_key_import(rsa1024, &k), PC_ERR_INVALID);
    assert_null(k);
    assert_int_equal(pc_jose_key_import(NULL, &k), PC_ERR_INVALID);
    assert_int_equal(pc_jose_key_import(p384, NULL), PC_ERR_INVALID);
    json_decref(p384);
    json_decref(rsa1024);
    free(rsa_es);
    free(rsa_noalg);
}

/* ---- sign and verify ----------------------------------------------------------------------- */

static void test_round_trip_all_algs(void **state)
{
    json_t *claims =
        parse_json("{\"iss\":\"https://op.example\",\"sub\":\"u1\",\"n\":[1,2,{\"é\":true}]}");

    for (size_t i = 0; i < NALGS; i++) {
        key_pair kp = make_pair(all_algs[i], "kid-rt");
        const pc_jose_key *set[] = {kp.pub};
        json_t *hdr = NULL, *out = NULL;
        char *jwt = NULL;

        assert_int_equal(pc_jose_sign(kp.priv, "JWT", claims, &jwt), PC_OK);
        assert_int_equal(pc_jose_verify(set, 1, jwt, &hdr, &out), PC_OK);
        assert_true(json_equal(out, claims));
        assert_string_equal(json_string_value(json_object_get(hdr, "alg")),
                            pc_jose_alg_str(all_algs[i]));
        assert_string_equal(json_string_value(json_object_get(hdr, "kid")), "kid-rt");
        assert_string_equal(json_string_value(json_object_get(hdr, "typ")), "JWT");
        assert_int_equal(verify1(kp.priv, jwt), PC_OK); /* a private key verifies too */
        json_decref(hdr);
        json_decref(out);
        free(jwt);
        /* typ omitted */
        assert_int_equal(pc_jose_sign(kp.priv, NULL, claims, &jwt), PC_OK);
        assert_int_equal(pc_jose_verify(set, 1, jwt, &hdr, &out), PC_OK);
        assert_null(json_object_get(hdr, "typ"));
        json_decref(hdr);
        json_decref(out);
        free(jwt);
        free_pair(kp);
    }
    json_decref(claims);
}

static void test_wrong_key_same_kid_denied(void **state)
{
    json_t *claims = parse_json("{\"sub\":\"u1\"}");

    for (size_t i = 0; i < NALGS; i++) {
        key_pair a = make_pair(all_algs[i], "same-kid"), b = make_pair(all_algs[i], "same-kid");
        char *jwt = NULL;

        assert_int_equal(pc_jose_sign(a.priv, "JWT", claims, &jwt), PC_OK);
        assert_int_equal(verify1(b.pub, jwt), PC_ERR_DENIED);
        assert_int_equal(verify1(a.pub, jwt), PC_OK);
        free(jwt);
        free_pair(a);
        free_pair(b);
    }
    json_decref(claims);
}

static void test_tampering_denied(void **state)
{
    json_t *claims = parse_json("{\"sub\":\"u1\",\"scope\":\"openid\"}");

    for (size_t i = 0; i < NALGS; i++) {
        key_pair kp = make_pair(all_algs[i], "kid-t");
        char *jwt = NULL, *bad;

        assert_int_equal(pc_jose_sign(kp.priv, "JWT", claims, &jwt), PC_OK);
        for (int part = 0; part < 3; part++) {
            bad = tamper(jwt, part, 3);
            /* a flipped header byte may break its JSON (invalid) or its kid (denied) */
            if (part == 0)
                assert_int_not_equal(verify1(kp.pub, bad), PC_OK);
            else
                assert_int_equal(verify1(kp.pub, bad), PC_ERR_DENIED);
            free(bad);
        }
        free(jwt);
        free_pair(kp);
    }
    json_decref(claims);
}

static void test_kid_selection(void **state)
{
    key_pair a = make_pair(PC_ALG_ES256, "a"), b = make_pair(PC_ALG_EDDSA, "b");
    const pc_jose_key *set[] = {a.pub, b.pub};
    json_t *claims = parse_json("{\"sub\":\"u1\"}"), *out = NULL;
    char *jwt_b = NULL;
    pc_jose_key *nokid = import_str(rfc7515_a3_jwk);

    assert_int_equal(pc_jose_sign(b.priv, NULL, claims, &jwt_b), PC_OK);
    assert_int_equal(pc_jose_verify(set, 2, jwt_b, NULL, &out), PC_OK);
    json_decref(out);
    assert_int_equal(pc_jose_verify(set, 1, jwt_b, NULL, &out), PC_ERR_DENIED); /* unknown kid */
    assert_int_equal(pc_jose_verify(NULL, 0, jwt_b, NULL, &out), PC_ERR_DENIED);
    /* a header without kid is matched only when the set holds exactly one key, even if the
     * first key of a larger set would verify it */
    assert_null(pc_jose_key_kid(nokid));
    set[0] = nokid;
    assert_int_equal(pc_jose_verify(set, 2, rfc7515_a3_jws, NULL, &out), PC_ERR_DENIED);
    assert_int_equal(pc_jose_verify(set, 1, rfc7515_a3_jws, NULL, &out), PC_OK);
    json_decref(out);
    /* a kid-less key is never picked for a header that names a kid */
    assert_int_equal(pc_jose_verify(set, 1, jwt_b, NULL, &out), PC_ERR_DENIED);
    pc_jose_key_free(nokid);
    free(jwt_b);
    json_decref(claims);
    free_pair(a);
    free_pair(b);
}

/* RFC 8725 §3.1 and §2.1: "none", HMAC and any alg other than the key's are refused. */
static void test_alg_none_hmac_and_confusion_refused(void **state)
{
    key_pair kp = make_pair(PC_ALG_RS256, "k1");
    char *none = make_jws("{\"alg\":\"none\",\"kid\":\"k1\"}", "{\"sub\":\"admin\"}", "");
    char *none_nokid = make_jws("{\"alg\":\"none\"}", "{\"sub\":\"admin\"}", "");
    char *hs = make_jws("{\"alg\":\"HS256\",\"kid\":\"k1\"}", "{\"sub\":\"admin\"}",
                        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

    assert_int_equal(verify1(kp.pub, none), PC_ERR_DENIED);
    assert_int_equal(verify1(kp.pub, none_nokid), PC_ERR_DENIED);
    assert_int_equal(verify1(kp.pub, hs), PC_ERR_DENIED);
    assert_int_equal(verify1(kp.pub, rfc7515_a1_jws), PC_ERR_DENIED);
    free(none);
    free(none_nokid);
    free(hs);
    free_pair(kp);
}

/* The same RSA key imported as RS256 and as PS256: a PS256 token must not pass as RS256. */
static void test_header_alg_must_match_key(void **state)
{
    json_t *jpriv = NULL, *jpub = NULL, *claims = parse_json("{\"sub\":\"u1\"}");
    pc_jose_key *rs = NULL, *ps = NULL;
    char *jwt = NULL;

    assert_int_equal(pc_jose_key_generate(PC_ALG_RS256, "rsa", &jpriv, &jpub), PC_OK);
    assert_int_equal(pc_jose_key_import(jpub, &rs), PC_OK);
    json_object_set_new(jpriv, "alg", json_string("PS256"));
    assert_int_equal(pc_jose_key_import(jpriv, &ps), PC_OK);
    assert_int_equal(pc_jose_sign(ps, NULL, claims, &jwt), PC_OK);
    assert_int_equal(verify1(ps, jwt), PC_OK);
    assert_int_equal(verify1(rs, jwt), PC_ERR_DENIED);
    free(jwt);
    pc_jose_key_free(rs);
    pc_jose_key_free(ps);
    json_decref(jpriv);
    json_decref(jpub);
    json_decref(claims);
}

/* A token of malformed shape: wrong part count, bad base64url, padding, over 64 KiB. */
static void test_malformed_shapes_refused(void **state)
{
    key_pair kp = make_pair(PC_ALG_ES256, "k1");
    json_t *claims = parse_json("{\"sub\":\"u1\"}");
    char *good = NULL, *padded, *big;
    static const char *const bad[] = {
        "",
        ".",
        "..",
        "abc",
        "a.b",
        "a.b.c.d",
        ".e30.AAAA",
        "e30.e30.AAAA.AAAA.AAAA",
        "!!.e30.AAAA",
        "e30x.e30.AAAA", /* not base64url; "{}" followed by junk */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(verify1(kp.pub, bad[i]), PC_ERR_INVALID);
    assert_int_equal(pc_jose_sign(kp.priv, "JWT", claims, &good), PC_OK);
    assert_true(
        asprintf(&padded, "%.*s=%s", (int)(strchr(good, '.') - good), good, strchr(good, '.')) > 0);
    assert_int_equal(verify1(kp.pub, padded), PC_ERR_INVALID);
    /* a genuine token over 64 KiB is refused before anything is decoded */
    big = malloc(70000);
    assert_non_null(big);
    memset(big, 'x', 69999);
    big[69999] = '\0';
    json_object_set_new(claims, "pad", json_string(big));
    free(big);
    assert_int_equal(pc_jose_sign(kp.priv, NULL, claims, &big), PC_OK);
    assert_int_equal(verify1(kp.pub, big), PC_ERR_INVALID);
    free(good);
    free(padded);
    free(big);
    json_decref(claims);
    free_pair(kp);
}

/* verify1 of a JWS with this header, an empty payload and a short signature. */
static pc_status verify_with_header(const key_pair *kp, const char *header)
{
    char *jws = make_jws(header, "{}", "AAAA");
    pc_status rc = verify1(kp->pub, jws);

    free(jws);
    return rc;
}

/* Headers that are not well-formed JOSE, and missing arguments. */
static void test_malformed_headers_refused(void **state)
{
    key_pair kp = make_pair(PC_ALG_ES256, "k1");
    json_t *claims = parse_json("{\"sub\":\"u1\"}"), *out = NULL;
    char *good = NULL;

    assert_int_equal(verify_with_header(&kp, "{\"alg\":\"ES256\",\"kid\":\"k1\",\"kid\":\"k1\"}"),
                     PC_ERR_INVALID);
    assert_int_equal(
        verify_with_header(&kp, "{\"alg\":\"ES256\",\"kid\":\"k1\",\"crit\":[\"exp\"],\"exp\":1}"),
        PC_ERR_INVALID);
    assert_int_equal(verify_with_header(&kp, "{\"alg\":\"ES256\",\"kid\":1}"), PC_ERR_INVALID);
    assert_int_equal(verify_with_header(&kp, "{\"kid\":\"k1\"}"), PC_ERR_INVALID);
    assert_int_equal(verify_with_header(&kp, "[\"ES256\"]"), PC_ERR_INVALID);
    /* a short ES256 signature is a bad signature, not a crash */
    assert_int_equal(verify_with_header(&kp, "{\"alg\":\"ES256\",\"kid\":\"k1\"}"), PC_ERR_DENIED);
    assert_int_equal(pc_jose_sign(kp.priv, "JWT", claims, &good), PC_OK);
    assert_int_equal(pc_jose_verify(NULL, 1, good, NULL, &out), PC_ERR_INVALID);
    assert_int_equal(pc_jose_verify((const pc_jose_key *const *)&kp.pub, 1, NULL, NULL, &out),
                     PC_ERR_INVALID);
    assert_int_equal(pc_jose_verify((const pc_jose_key *const *)&kp.pub, 1, good, NULL, NULL),
                     PC_ERR_INVALID);
    free(good);
    json_decref(claims);
    free_pair(kp);
}

static void test_sign_refuses(void **state)
{
    key_pair kp = make_pair(PC_ALG_EDDSA, "k1");
    json_t *claims = parse_json("{\"sub\":\"u1\"}"), *arr = parse_json("[1]");
    char *jwt = (char *)"sentinel";

    assert_int_equal(pc_jose_sign(kp.pub, NULL, claims, &jwt), PC_ERR_INVALID);
    assert_null(jwt);
    assert_int_equal(pc_jose_sign(kp.priv, NULL, arr, &jwt), PC_ERR_INVALID);
    assert_int_equal(pc_jose_sign(kp.priv, "\xff", claims, &jwt), PC_ERR_INVALID); /* not UTF-8 */
    assert_int_equal(pc_jose_sign(NULL, NULL, claims, &jwt), PC_ERR_INVALID);
    assert_int_equal(pc_jose_sign(kp.priv, NULL, claims, NULL), PC_ERR_INVALID);
    json_decref(claims);
    json_decref(arr);
    free_pair(kp);
}

/* ES256 signatures are fixed-width R || S: many signatures exercise short R and S values. */
static void test_es256_many_signatures(void **state)
{
    key_pair kp = make_pair(PC_ALG_ES256, "k1");
    json_t *claims = parse_json("{\"sub\":\"u1\"}");

    for (int i = 0; i < 300; i++) {
        char *jwt = NULL;
        uint8_t *sig;
        size_t len;
        const char *s;

        json_object_set_new(claims, "i", json_integer(i));
        assert_int_equal(pc_jose_sign(kp.priv, NULL, claims, &jwt), PC_OK);
        s = strrchr(jwt, '.') + 1;
        assert_int_equal(pc_b64url_decode(s, strlen(s), &sig, &len), PC_OK);
        assert_int_equal(len, 64);
        assert_int_equal(verify1(kp.pub, jwt), PC_OK);
        free(sig);
        free(jwt);
    }
    json_decref(claims);
    free_pair(kp);
}

/* ---- published vectors --------------------------------------------------------------------- */

static void test_rfc7515_a3_es256(void **state)
{
    pc_jose_key *k = import_str(rfc7515_a3_jwk);
    json_t *hdr = NULL, *claims = NULL;
    char *bad;

    assert_int_equal(pc_jose_key_alg(k), PC_ALG_ES256); /* inferred from crv P-256 */
    assert_false(pc_jose_key_can_sign(k));
    assert_int_equal(
        pc_jose_verify((const pc_jose_key *const *)&k, 1, rfc7515_a3_jws, &hdr, &claims), PC_OK);
    assert_string_equal(json_string_value(json_object_get(hdr, "alg")), "ES256");
    assert_string_equal(json_string_value(json_object_get(claims, "iss")), "joe");
    assert_int_equal(json_integer_value(json_object_get(claims, "exp")), 1300819380);
    assert_true(json_is_true(json_object_get(claims, "http://example.com/is_root")));
    json_decref(hdr);
    json_decref(claims);
    for (size_t byte = 0; byte < 64; byte += 21) {
        bad = tamper(rfc7515_a3_jws, 2, byte);
        assert_int_equal(verify1(k, bad), PC_ERR_DENIED);
        free(bad);
    }
    bad = tamper(rfc7515_a3_jws, 1, 5);
    assert_int_equal(verify1(k, bad), PC_ERR_DENIED);
    free(bad);
    /* RFC 7518 §3.4: exactly 64 octets; a 65th (zero) octet after a valid R || S is refused */
    assert_true(asprintf(&bad, "%sA", rfc7515_a3_jws) > 0);
    assert_int_equal(verify1(k, bad), PC_ERR_DENIED);
    free(bad);
    pc_jose_key_free(k);
}

static void test_rfc7515_a2_rs256(void **state)
{
    char *rs = rsa_pub_jwk(rfc7515_a2_n, "RS256", "rsa"),
         *ps = rsa_pub_jwk(rfc7515_a2_n, "PS256", "rsa");
    pc_jose_key *krs = import_str(rs), *kps = import_str(ps);
    char *bad = tamper(rfc7515_a2_jws, 2, 100);

    assert_int_equal(verify1(krs, rfc7515_a2_jws), PC_OK);
    assert_int_equal(verify1(krs, bad), PC_ERR_DENIED);
    assert_int_equal(verify1(kps, rfc7515_a2_jws), PC_ERR_DENIED); /* header says RS256 */
    free(bad);
    free(rs);
    free(ps);
    pc_jose_key_free(krs);
    pc_jose_key_free(kps);
}

/*
 * RFC 8037 A.4. Its payload is the text "Example of Ed25519 signing", not a claims set, so the
 * verifier accepts the signature and then refuses the payload (PC_ERR_INVALID); a flipped
 * signature byte is refused earlier, as a bad signature (PC_ERR_DENIED).
 */
static void test_rfc8037_a4_ed25519(void **state)
{
    pc_jose_key *pub = import_str(rfc8037_a2_jwk);
    char *bad = tamper(rfc8037_a4_jws, 2, 7);

    assert_int_equal(pc_jose_key_alg(pub), PC_ALG_EDDSA);
    assert_int_equal(verify1(pub, rfc8037_a4_jws), PC_ERR_INVALID);
    assert_int_equal(verify1(pub, bad), PC_ERR_DENIED);
    free(bad);
    pc_jose_key_free(pub);
}

/* RFC 8037 A.1 key: Ed25519 signing is deterministic (RFC 8032 §5.1.6), and A.2 verifies it. */
static void test_rfc8037_keys_sign_deterministic(void **state)
{
    pc_jose_key *priv = import_str(rfc8037_a1_jwk), *pub = import_str(rfc8037_a2_jwk);
    json_t *claims = parse_json("{\"iss\":\"joe\"}");
    char *a = NULL, *b = NULL;

    assert_true(pc_jose_key_can_sign(priv));
    assert_int_equal(pc_jose_sign(priv, NULL, claims, &a), PC_OK);
    assert_int_equal(pc_jose_sign(priv, NULL, claims, &b), PC_OK);
    assert_string_equal(a, b);
    /* with no kid and no typ the header is {"alg":"EdDSA"}, encoded exactly as in A.4 */
    assert_int_equal(strncmp(a, "eyJhbGciOiJFZERTQSJ9.", 21), 0);
    assert_int_equal(verify1(pub, a), PC_OK);
    free(a);
    free(b);
    json_decref(claims);
    pc_jose_key_free(priv);
    pc_jose_key_free(pub);
}

/* RFC 7518 §3.5: the salt is as long as the hash, and only that salt is accepted. */
static void test_ps256_interop_and_salt_length(void **state)
{
    char *jwk = rsa_pub_jwk(py_ps256_n, "PS256", "py-ps256");
    pc_jose_key *k = import_str(jwk);
    json_t *claims = NULL;

    assert_int_equal(
        pc_jose_verify((const pc_jose_key *const *)&k, 1, py_ps256_salt32, NULL, &claims), PC_OK);
    assert_string_equal(json_string_value(json_object_get(claims, "iss")), "python");
    json_decref(claims);
    assert_int_equal(verify1(k, py_ps256_saltmax), PC_ERR_DENIED);
    /* the signature is valid PSS, but the header claims RS256: RFC 8725 §3.1 */
    assert_int_equal(verify1(k, py_rs256_header_pss_sig), PC_ERR_DENIED);
    free(jwk);
    pc_jose_key_free(k);
}

/* OpenID Connect Core 1.0 Appendix A.3 (at_hash) and A.4 (c_hash), both RS256. */
static void test_half_hash(void **state)
{
    static const char at[] = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
    static const char code[] = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk";
    const pc_jose_alg sha256_algs[] = {PC_ALG_RS256, PC_ALG_PS256, PC_ALG_ES256};
    char *h;

    for (size_t i = 0; i < 3; i++) {
        h = pc_jose_half_hash(sha256_algs[i], at);
        assert_string_equal(h, "77QmUPtjPfzWtF2AnpK9RQ");
        free(h);
        h = pc_jose_half_hash(sha256_algs[i], code);
        assert_string_equal(h, "LDktKdoQak3Pk0cnXxCltA");
        free(h);
    }
    /* Not a spec vector: the left 32 octets of SHA-512, computed with Python's hashlib. */
    h = pc_jose_half_hash(PC_ALG_EDDSA, at);
    assert_string_equal(h, "q7nS86GgvvFaZkzALLWqJYaJIKw2wCDAVfCAsm5CrBM");
    free(h);
    assert_null(pc_jose_half_hash(PC_ALG_NONE_, at));
    assert_null(pc_jose_half_hash(PC_ALG_RS256, NULL));
}

/* ---- threads ------------------------------------------------------------------------------- */

typedef struct thread_arg {
    const key_pair *pairs;
    int failures;
} thread_arg;

static void *sign_verify_loop(void *p)
{
    thread_arg *arg = p;
    json_t *claims = json_pack("{s:s}", "sub", "threaded");

    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < NALGS; i++) {
            char *jwt = NULL;
            json_t *out = NULL;
            const pc_jose_key *set[] = {arg->pairs[i].pub};

            if (pc_jose_sign(arg->pairs[i].priv, "JWT", claims, &jwt) != PC_OK ||
                pc_jose_verify(set, 1, jwt, NULL, &out) != PC_OK)
                arg->failures++;
            json_decref(out);
            free(jwt);
        }
    }
    json_decref(claims);
    return NULL;
}

/* One set of immutable keys, shared by many threads signing and verifying at once. */
static void test_keys_shared_across_threads(void **state)
{
    enum { NTHREADS = 8 };
    key_pair pairs[NALGS];
    pthread_t th[NTHREADS];
    thread_arg args[NTHREADS];

    for (size_t i = 0; i < NALGS; i++)
        pairs[i] = make_pair(all_algs[i], "shared");
    for (int t = 0; t < NTHREADS; t++) {
        args[t] = (thread_arg){pairs, 0};
        assert_int_equal(pthread_create(&th[t], NULL, sign_verify_loop, &args[t]), 0);
    }
    for (int t = 0; t < NTHREADS; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(args[t].failures, 0);
    }
    for (size_t i = 0; i < NALGS; i++)
        free_pair(pairs[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alg_names),
        cmocka_unit_test(test_generate_jwk_members),
        cmocka_unit_test(test_import_accessors),
        cmocka_unit_test(test_import_refuses),
        cmocka_unit_test(test_round_trip_all_algs),
        cmocka_unit_test(test_wrong_key_same_kid_denied),
        cmocka_unit_test(test_tampering_denied),
        cmocka_unit_test(test_kid_selection),
        cmocka_unit_test(test_alg_none_hmac_and_confusion_refused),
        cmocka_unit_test(test_header_alg_must_match_key),
        cmocka_unit_test(test_malformed_shapes_refused),
        cmocka_unit_test(test_malformed_headers_refused),
        cmocka_unit_test(test_sign_refuses),
        cmocka_unit_test(test_es256_many_signatures),
        cmocka_unit_test(test_rfc7515_a3_es256),
        cmocka_unit_test(test_rfc7515_a2_rs256),
        cmocka_unit_test(test_rfc8037_a4_ed25519),
        cmocka_unit_test(test_rfc8037_keys_sign_deterministic),
        cmocka_unit_test(test_ps256_interop_and_salt_length),
        cmocka_unit_test(test_half_hash),
        cmocka_unit_test(test_keys_shared_across_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
