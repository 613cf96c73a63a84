/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for core/util/crypto.c: base64url, hashes, ids, sealing, constant-time compare. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/crypto.h"

static uint8_t *hex_decode(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n + 1);

    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        unsigned int v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    *len = n;
    return out;
}

static void assert_decodes_to(const char *b64, const void *want, size_t want_len)
{
    uint8_t *out = NULL;
    size_t len = 0;

    assert_int_equal(pc_b64url_decode(b64, strlen(b64), &out, &len), PC_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(out[len], '\0');
    free(out);
}

static void assert_decode_refused(const char *b64, size_t len)
{
    uint8_t *out = (uint8_t *)"sentinel";
    size_t outlen = 99;

    assert_int_equal(pc_b64url_decode(b64, len, &out, &outlen), PC_ERR_INVALID);
    assert_null(out);
    assert_int_equal(outlen, 0);
}

/* RFC 4648 §10, in the URL alphabet (§5) and without padding (RFC 7515 §2). */
static void test_b64url_rfc4648_vectors(void **state)
{
    static const char *const vec[][2] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };

    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        char *enc = pc_b64url_encode(vec[i][0], strlen(vec[i][0]));
        assert_string_equal(enc, vec[i][1]);
        free(enc);
        assert_decodes_to(vec[i][1], vec[i][0], strlen(vec[i][0]));
    }
}

/* RFC 7515 Appendix C (the URL alphabet) and A.1.1 (the HS256 example header, CRLF and all). */
static void test_b64url_rfc7515_vectors(void **state)
{
    static const uint8_t octets[] = {3, 236, 255, 224, 193};
    static const char header[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
    char *enc = pc_b64url_encode(octets, sizeof(octets));

    assert_string_equal(enc, "A-z_4ME");
    free(enc);
    assert_decodes_to("A-z_4ME", octets, sizeof(octets));
    enc = pc_b64url_encode(header, strlen(header));
    assert_string_equal(enc, "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
    free(enc);
}

static void test_b64url_padding_optional(void **state)
{
    assert_decodes_to("Zg==", "f", 1);
    assert_decodes_to("Zm8=", "fo", 2);
    assert_decodes_to("Zm9v", "foo", 3);
    assert_decode_refused("Zg=", 3);
    assert_decode_refused("Zm8==", 5);
    assert_decode_refused("Zm9v=", 5);
    assert_decode_refused("Z===", 4);
    assert_decode_refused("=", 1);
    assert_decode_refused("Zg==Zg==", 8);
}

static void test_b64url_rejects_bad_input(void **state)
{
    assert_decode_refused("Zm9v+", 5); /* standard alphabet */
    assert_decode_refused("Zm9/", 4);
    assert_decode_refused("Zm 9v", 5);
    assert_decode_refused("Zm9v\n", 5);
    assert_decode_refused("Zm\0v", 4); /* an embedded NUL within slen */
    assert_decode_refused("Z", 1);     /* impossible lengths: 4n+1 */
    assert_decode_refused("Zm9vY", 5);
    assert_decode_refused("Zh", 2); /* RFC 4648 §3.5: non-zero unused bits */
    assert_decode_refused("Zm9", 3);
    assert_decodes_to("Zm8", "fo", 2);
    assert_decodes_to("Zm9vYmFyXQ", "foobar]", 7);
}

static void test_b64url_round_trip_all_bytes(void **state)
{
    uint8_t buf[256], *out;
    size_t len;

    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)i;
    for (size_t n = 0; n <= sizeof(buf); n++) {
        char *enc = pc_b64url_encode(buf, n);
        assert_null(strpbrk(enc, "+/="));
        assert_int_equal(pc_b64url_decode(enc, strlen(enc), &out, &len), PC_OK);
        assert_int_equal(len, n);
        assert_memory_equal(out, buf, n);
        free(out);
        free(enc);
    }
}

/* FIPS 180-2 Appendix B.1 ("abc") and the empty message. */
static void test_sha256(void **state)
{
    char *hex = pc_sha256_hex("abc");

    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    free(hex);
    hex = pc_sha256_hex("");
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    free(hex);
    assert_null(pc_sha256_hex(NULL));
}

static void test_random_token(void **state)
{
    char *a = pc_random_token(32), *b = pc_random_token(32), *e = pc_random_token(0);

    assert_int_equal(strlen(a), 43);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(a, b);
    assert_string_equal(e, "");
    free(a);
    free(b);
    free(e);
    assert_int_equal(pc_random(NULL, 0), PC_OK);
}

static void assert_uuid7_shape(const char *u)
{
    assert_int_equal(strlen(u), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", u[i]));
    }
    assert_int_equal(u[14], '7');           /* RFC 9562 §5.7: version */
    assert_non_null(strchr("89ab", u[19])); /* RFC 9562 §4.1: variant 10 */
}

static void test_uuid7_format_and_time(void **state)
{
    char u[37];
    char hex[13] = {0};
    uint64_t ms;
    struct timespec ts;

    pc_uuid7(u);
    assert_uuid7_shape(u);
    memcpy(hex, u, 8);
    memcpy(hex + 8, u + 9, 4);
    ms = strtoull(hex, NULL, 16);
    clock_gettime(CLOCK_REALTIME, &ts);
    assert_true(ms <= (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
    assert_true(ms + 5000 >= (uint64_t)ts.tv_sec * 1000);
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_uuid7_ordered_and_unique(void **state)
{
    enum { N = 1000 };
    static char ids[N][37];
    const struct timespec two_ms = {0, 2 * 1000 * 1000};
    char before[37], after[37];

    pc_uuid7(before);
    nanosleep(&two_ms, NULL);
    pc_uuid7(after);
    /* RFC 9562 §6.2: ids from different milliseconds sort by time, as strings too */
    assert_true(strcmp(before, after) < 0);
    for (int i = 0; i < N; i++) {
        pc_uuid7(ids[i]);
        assert_uuid7_shape(ids[i]);
        assert_true(strncmp(ids[i], after, 13) >= 0);
    }
    qsort(ids, N, sizeof(ids[0]), cmp_id);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
}

static void test_ct_equal(void **state)
{
    assert_true(pc_ct_equal("abc", 3, "abc", 3));
    assert_false(pc_ct_equal("abc", 3, "abd", 3));
    assert_false(pc_ct_equal("abc", 3, "abcd", 4));
    assert_true(pc_ct_equal("", 0, "", 0));
    assert_true(pc_ct_equal(NULL, 0, NULL, 0));
    assert_false(pc_ct_equal(NULL, 1, "a", 1));
    assert_true(pc_ct_equal("a\0b", 3, "a\0b", 3));
    assert_false(pc_ct_equal("a\0b", 3, "a\0c", 3));
    assert_true(pc_ct_streq("secret", "secret"));
    assert_false(pc_ct_streq("secret", "secreT"));
    assert_false(pc_ct_streq("secret", "secret2"));
    assert_false(pc_ct_streq("", "x"));
    assert_true(pc_ct_streq("", ""));
    assert_false(pc_ct_streq(NULL, "x"));
    assert_false(pc_ct_streq(NULL, NULL));
}

static const uint8_t key_a[PC_MASTER_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const uint8_t key_b[PC_MASTER_KEY_LEN] = "0123456789abcdef0123456789abcdeF";

static void test_seal_round_trip(void **state)
{
    static const char msg[] = "client secret \0 with a NUL";
    char *s1 = NULL, *s2 = NULL;
    uint8_t *plain = NULL;
    size_t len = 0;

    assert_int_equal(pc_seal(key_a, "kid-1", msg, sizeof(msg), &s1), PC_OK);
    assert_int_equal(pc_seal(key_a, "kid-1", msg, sizeof(msg), &s2), PC_OK);
    assert_int_equal(strncmp(s1, "v1.", 3), 0);
    assert_string_not_equal(s1, s2); /* a fresh nonce each time */
    assert_int_equal(pc_unseal(key_a, "kid-1", s1, &plain, &len), PC_OK);
    assert_int_equal(len, sizeof(msg));
    assert_memory_equal(plain, msg, sizeof(msg));
    assert_int_equal(plain[len], '\0');
    free(plain);
    free(s1);
    free(s2);
    /* empty plaintext, no AAD */
    assert_int_equal(pc_seal(key_a, NULL, NULL, 0, &s1), PC_OK);
    assert_int_equal(pc_unseal(key_a, NULL, s1, &plain, &len), PC_OK);
    assert_int_equal(len, 0);
    assert_string_equal((char *)plain, "");
    free(plain);
    free(s1);
}

/* Re-encodes `sealed` with byte i of its binary form flipped. */
static char *flip_sealed_byte(const char *sealed, size_t i)
{
    uint8_t *raw;
    size_t len;
    char *b64, *out;

    assert_int_equal(pc_b64url_decode(sealed + 3, strlen(sealed + 3), &raw, &len), PC_OK);
    assert_true(i < len);
    raw[i] ^= 0x01;
    b64 = pc_b64url_encode(raw, len);
    out = malloc(strlen(b64) + 4);
    assert_non_null(out);
    strcpy(out, "v1.");
    strcat(out, b64);
    free(b64);
    free(raw);
    return out;
}

static void test_seal_tamper_detected(void **state)
{
    char *sealed = NULL;
    uint8_t *plain = (uint8_t *)"sentinel";
    size_t len = 99;
    /* nonce (0), ciphertext (12), last ciphertext byte (12+4), tag (16), last tag byte (31) */
    static const size_t positions[] = {0, 11, 12, 15, 16, 31};

    assert_int_equal(pc_seal(key_a, "ctx", "data", 4, &sealed), PC_OK);
    for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
        char *bad = flip_sealed_byte(sealed, positions[i]);
        assert_int_equal(pc_unseal(key_a, "ctx", bad, &plain, &len), PC_ERR_CRYPTO);
        assert_null(plain);
        assert_int_equal(len, 0);
        free(bad);
    }
    assert_int_equal(pc_unseal(key_b, "ctx", sealed, &plain, &len), PC_ERR_CRYPTO);
    assert_int_equal(pc_unseal(key_a, "ctX", sealed, &plain, &len), PC_ERR_CRYPTO);
    assert_int_equal(pc_unseal(key_a, NULL, sealed, &plain, &len), PC_ERR_CRYPTO);
    assert_int_equal(pc_unseal(key_a, "ctx", sealed, &plain, &len), PC_OK);
    assert_string_equal((char *)plain, "data");
    free(plain);
    free(sealed);
}

static void test_unseal_malformed(void **state)
{
    uint8_t *plain = NULL;
    size_t len = 0;

    assert_int_equal(pc_unseal(key_a, NULL, "", &plain, &len), PC_ERR_INVALID);
    assert_int_equal(pc_unseal(key_a, NULL, "v2.AAAA", &plain, &len), PC_ERR_INVALID);
    assert_int_equal(pc_unseal(key_a, NULL, "v1.!!!!", &plain, &len), PC_ERR_INVALID);
    /* 27 octets: shorter than nonce + tag */
    assert_int_equal(
        pc_unseal(key_a, NULL, "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &plain, &len),
        PC_ERR_INVALID);
    assert_int_equal(pc_unseal(key_a, NULL, NULL, &plain, &len), PC_ERR_INVALID);
    assert_int_equal(pc_seal(key_a, NULL, "x", 1, NULL), PC_ERR_INVALID);
    assert_null(plain);
}

/* AES-256 test cases 13 and 14 of the GCM specification (zero key and IV, no AAD), sealed. */
static void test_unseal_gcm_known_answers(void **state)
{
    static const uint8_t zero_key[PC_MASTER_KEY_LEN] = {0};
    static const char *const tc13 = "000000000000000000000000"
                                    "530f8afbc74536b9a963b4f1c4cb738b";
    static const char *const tc14 = "000000000000000000000000"
                                    "cea7403d4d606b6e074ec5d3baf39d18"
                                    "d0d1c8a799996bf0265b98b5d48ab919";
    static const uint8_t zeros[16] = {0};
    const char *const cases[] = {tc13, tc14};
    const size_t want_len[] = {0, 16};

    for (size_t i = 0; i < 2; i++) {
        size_t rawlen, len;
        uint8_t *raw = hex_decode(cases[i], &rawlen), *plain;
        char *b64 = pc_b64url_encode(raw, rawlen);
        char sealed[128] = "v1.";

        strcat(sealed, b64);
        assert_int_equal(pc_unseal(zero_key, NULL, sealed, &plain, &len), PC_OK);
        assert_int_equal(len, want_len[i]);
        assert_memory_equal(plain, zeros, len);
        free(plain);
        free(b64);
        free(raw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64url_rfc4648_vectors),
        cmocka_unit_test(test_b64url_rfc7515_vectors),
        cmocka_unit_test(test_b64url_padding_optional),
        cmocka_unit_test(test_b64url_rejects_bad_input),
        cmocka_unit_test(test_b64url_round_trip_all_bytes),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_random_token),
        cmocka_unit_test(test_uuid7_format_and_time),
        cmocka_unit_test(test_uuid7_ordered_and_unique),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_seal_round_trip),
        cmocka_unit_test(test_seal_tamper_detected),
        cmocka_unit_test(test_unseal_malformed),
        cmocka_unit_test(test_unseal_gcm_known_answers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
