/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oauth2/pkce.c against RFC 7636 Appendix B and the verifier grammar of §4.1. */
#include "test_support.h"
#include "oauth2/pkce.h"

#include <stdlib.h>
#include <string.h>

/* RFC 7636 Appendix B */
#define RFC_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static void test_appendix_b_vector(void **state)
{
    char *c = pc_oauth2_pkce_s256(RFC_VERIFIER);

    (void)state;
    assert_string_equal(c, RFC_CHALLENGE);
    free(c);
    assert_int_equal(pc_oauth2_pkce_verify(RFC_CHALLENGE, RFC_VERIFIER), PC_OK);
}

static void test_mismatch_is_denied(void **state)
{
    (void)state;
    /* One character changed in the verifier. */
    assert_int_equal(
        pc_oauth2_pkce_verify(RFC_CHALLENGE, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"),
        PC_ERR_DENIED);
    /* `plain` would compare the verifier itself: never accepted. */
    assert_int_not_equal(pc_oauth2_pkce_verify(RFC_VERIFIER, RFC_VERIFIER), PC_OK);
}

static void test_verifier_grammar(void **state)
{
    char v[130];

    (void)state;
    memset(v, 'a', sizeof v);
    v[42] = '\0';
    assert_false(pc_oauth2_pkce_verifier_valid(v)); /* 42: too short */
    v[42] = 'a';
    v[43] = '\0';
    assert_true(pc_oauth2_pkce_verifier_valid(v));
    memset(v, 'a', sizeof v);
    v[128] = '\0';
    assert_true(pc_oauth2_pkce_verifier_valid(v));
    v[128] = 'a';
    v[129] = '\0';
    assert_false(pc_oauth2_pkce_verifier_valid(v)); /* 129: too long */
    assert_true(pc_oauth2_pkce_verifier_valid("-._~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn0123"));
    assert_false(pc_oauth2_pkce_verifier_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+a"));
    assert_false(pc_oauth2_pkce_verifier_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa a"));
    assert_false(pc_oauth2_pkce_verifier_valid(NULL));
    assert_int_equal(pc_oauth2_pkce_verify(RFC_CHALLENGE, "short"), PC_ERR_INVALID);
}

static void test_challenge_grammar(void **state)
{
    (void)state;
    assert_true(pc_oauth2_pkce_challenge_valid(RFC_CHALLENGE));
    assert_false(pc_oauth2_pkce_challenge_valid("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"));
    assert_false(pc_oauth2_pkce_challenge_valid("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="));
    assert_false(pc_oauth2_pkce_challenge_valid("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"));
    assert_false(pc_oauth2_pkce_challenge_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appendix_b_vector),
        cmocka_unit_test(test_mismatch_is_denied),
        cmocka_unit_test(test_verifier_grammar),
        cmocka_unit_test(test_challenge_grammar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
