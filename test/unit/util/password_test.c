/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/util/password.c: argon2id PHC strings that libargon2's own encoder and verifier agree with. */
#include "test_support.h"
#include "util/argon2_pool.h"
#include "util/password.h"

#include <argon2.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    (void)state;
    pc_password_configure(2, 1024, 1); /* small memory: the tests are about format, not cost */
    return 0;
}

/* A hash libargon2 encodes itself verifies here (stored hashes keep working). */
static void test_verifies_libargon2_hashes(void **state)
{
    const uint8_t salt[16] = "0123456789abcdef";
    char encoded[256];

    (void)state;
    assert_int_equal(argon2id_hash_encoded(2, 1024, 1, "correct horse", 13, salt, sizeof salt, 32,
                                           encoded, sizeof encoded),
                     ARGON2_OK);
    assert_int_equal(pc_password_verify(encoded, "correct horse"), PC_OK);
    assert_int_equal(pc_password_verify(encoded, "correct horsE"), PC_ERR_DENIED);
    assert_int_equal(pc_password_verify(encoded, ""), PC_ERR_DENIED);
}

/* What this code encodes libargon2 verifies, with the configured cost in it. */
static void test_hashes_libargon2_verifies(void **state)
{
    char *encoded = NULL, *again = NULL;

    (void)state;
    assert_int_equal(pc_password_hash("battery staple", &encoded), PC_OK);
    assert_non_null(strstr(encoded, "$argon2id$v=19$m=1024,t=2,p=1$"));
    assert_int_equal(argon2id_verify(encoded, "battery staple", 14), ARGON2_OK);
    assert_int_not_equal(argon2id_verify(encoded, "battery stapler", 15), ARGON2_OK);
    /* A fresh salt each time. */
    assert_int_equal(pc_password_hash("battery staple", &again), PC_OK);
    assert_string_not_equal(encoded, again);
    free(encoded);
    free(again);
}

static void test_malformed_hashes_are_denied(void **state)
{
    static const char *const bad[] = {
        "",
        "$argon2i$v=19$m=1024,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAA",
        "$argon2id$v=16$m=1024,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAA",
        "$argon2id$v=19$m=1024,t=2,p=0$MDEyMzQ1Njc4OWFiY2RlZg$AAAA",
        "$argon2id$v=19$m=1024,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg",
        "$argon2id$v=19$m=1024,t=2,p=1$!!!$AAAA",
        "$argon2id$v=19$m=99999999,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAA",
        "plaintext-password",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(pc_password_verify(bad[i], "anything"), PC_ERR_DENIED);
    assert_int_equal(pc_password_verify(NULL, "anything"), PC_ERR_DENIED);
}

/* Buffers go back to the pool and are reused; an idle trim keeps them usable. */
static void test_pool_reuses_buffers(void **state)
{
    uint8_t *a = NULL, *b = NULL;

    (void)state;
    assert_int_equal(pc_argon2_pool_take(&a, 1 << 20), 0);
    memset(a, 7, 1 << 20);
    pc_argon2_pool_give(a, 1 << 20);
    assert_int_equal(pc_argon2_pool_take(&b, 1 << 20), 0);
    assert_ptr_equal(a, b);
    pc_argon2_pool_give(b, 1 << 20);
    pc_argon2_pool_trim(0, 0);
    assert_int_equal(pc_argon2_pool_take(&b, 1 << 20), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(b[12345], 0); /* released pages come back zeroed */
    pc_argon2_pool_give(b, 1 << 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verifies_libargon2_hashes),
        cmocka_unit_test(test_hashes_libargon2_verifies),
        cmocka_unit_test(test_malformed_hashes_are_denied),
        cmocka_unit_test(test_pool_reuses_buffers),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
