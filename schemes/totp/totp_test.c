/* SPDX-License-Identifier: Apache-2.0 */
/* Tests schemes/totp/totp_core.c: RFC 6238 Appendix B (SHA-1), the ±1 step window, replay refusal, base32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "qr_svg.h"
#include "totp_core.h"

static const uint8_t rfc_key[] = "12345678901234567890"; /* RFC 6238 Appendix B, SHA-1 seed */
#define RFC_KEY_LEN 20

/* RFC 6238 Appendix B: the SHA-1 rows (8 digits, X = 30, T0 = 0). */
static void test_rfc6238_appendix_b(void **state)
{
    static const struct {
        int64_t t;
        const char *code;
    } rows[] = {
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000LL, "65353130"},
    };
    totp_params p = {8, 30};
    char out[16];

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        assert_int_equal(totp_code_at(&p, rfc_key, RFC_KEY_LEN, rows[i].t, out, sizeof out), 0);
        assert_string_equal(out, rows[i].code);
    }
}

/* RFC 4226 Appendix D: HOTP values, the 6-digit truncation the defaults use. */
static void test_rfc4226_hotp(void **state)
{
    static const int64_t want[] = {755224, 287082, 359152, 969429, 338314,
                                   254676, 287922, 162583, 399871, 520489};

    (void)state;
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(totp_hotp(rfc_key, RFC_KEY_LEN, c, 6), want[c]);
}

static void code_for(int64_t t, char *out)
{
    totp_params p = {6, 30};

    assert_int_equal(totp_code_at(&p, rfc_key, RFC_KEY_LEN, t, out, 16), 0);
}

/* RFC 6238 §5.2: one step of clock drift either side is accepted, two are not. */
static void test_window(void **state)
{
    totp_params p = {6, 30};
    int64_t now = 1000 * 30 + 10, step = 0; /* step 1000 */
    char c[16];

    (void)state;
    code_for(now - 30, c);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, -1, &step), 1);
    assert_int_equal(step, 999);
    code_for(now + 30, c);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, -1, &step), 1);
    assert_int_equal(step, 1001);
    code_for(now - 60, c);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, -1, &step), 0);
    code_for(now + 60, c);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, -1, &step), 0);
}

/* A step accepted once is never accepted again, nor any earlier one. */
static void test_replay(void **state)
{
    totp_params p = {6, 30};
    int64_t now = 1000 * 30 + 10, step = 0;
    char c[16];

    (void)state;
    code_for(now, c);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, -1, &step), 1);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, step, &step), 0);
    code_for(now - 30, c);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, 1000, &step), 0);
    code_for(now + 30, c);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, now, c, 1000, &step), 1);
    assert_int_equal(step, 1001);
}

static void test_malformed_codes(void **state)
{
    totp_params p = {6, 30};
    int64_t step = 0;

    (void)state;
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, 59, NULL, -1, &step), 0);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, 59, "", -1, &step), 0);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, 59, "28708", -1, &step), 0);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, 59, "2870822", -1, &step), 0);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, 59, "28708a", -1, &step), 0);
    assert_int_equal(totp_check(&p, rfc_key, RFC_KEY_LEN, 59, "000000", -1, &step), 0);
}

/* RFC 4648 §10 vectors, without padding. */
static void test_base32(void **state)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"",        "MY",       "MZXQ",      "MZXW6",
                                      "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
    char enc[32];
    uint8_t dec[32];

    (void)state;
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(totp_base32_encode((const uint8_t *)in[i], strlen(in[i]), enc, sizeof enc),
                         (int)strlen(out[i]));
        assert_string_equal(enc, out[i]);
        assert_int_equal(totp_base32_decode(out[i], dec, sizeof dec), (int)strlen(in[i]));
        assert_memory_equal(dec, in[i], strlen(in[i]));
    }
    assert_int_equal(totp_base32_decode("mzxw6ytboi======", dec, sizeof dec), 6);
    assert_int_equal(totp_base32_decode("MZ1W", dec, sizeof dec), -1);
}

static void test_qr_svg(void **state)
{
    char *svg = totp_qr_svg("otpauth://totp/Default:alice?secret=MZXW6YTBOI&issuer=Default");

    (void)state;
    assert_non_null(svg);
    assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    assert_non_null(strstr(svg, "</svg>"));
    free(svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_appendix_b),
        cmocka_unit_test(test_rfc4226_hotp),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_malformed_codes),
        cmocka_unit_test(test_base32),
        cmocka_unit_test(test_qr_svg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
