/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oauth2/redirect.c: exact redirect-URI matching, parameters appended, origins. */
#include "test_support.h"
#include "oauth2/redirect.h"

#include <stdlib.h>

static void test_exact_match_only(void **state)
{
    json_t *reg = json_pack("[s,s]", "https://app.example/cb", "http://127.0.0.1:8000/cb?x=1");

    (void)state;
    assert_true(pc_redirect_uri_registered(reg, "https://app.example/cb"));
    assert_true(pc_redirect_uri_registered(reg, "http://127.0.0.1:8000/cb?x=1"));
    /* No normalisation, no prefix, no extra query, no case folding, no fragment. */
    assert_false(pc_redirect_uri_registered(reg, "https://app.example/cb/"));
    assert_false(pc_redirect_uri_registered(reg, "https://app.example/cb?next=/"));
    assert_false(pc_redirect_uri_registered(reg, "https://APP.example/cb"));
    assert_false(pc_redirect_uri_registered(reg, "https://app.example/c"));
    assert_false(pc_redirect_uri_registered(reg, "https://app.example/cb#x"));
    assert_false(pc_redirect_uri_registered(reg, "https://app.example:443/cb"));
    assert_false(pc_redirect_uri_registered(reg, "https://app.example.evil/cb"));
    assert_false(pc_redirect_uri_registered(reg, "http://127.0.0.1:8000/cb"));
    assert_false(pc_redirect_uri_registered(reg, ""));
    assert_false(pc_redirect_uri_registered(reg, NULL));
    assert_false(pc_redirect_uri_registered(NULL, "https://app.example/cb"));
    json_decref(reg);
}

static void test_parameters_appended(void **state)
{
    const char *p1[] = {"code", "abc", "state", "a b&c=d", NULL};
    const char *p2[] = {"error", "access_denied", "state", NULL, NULL};
    char *u;

    (void)state;
    u = pc_redirect_with("https://app.example/cb", p1);
    assert_string_equal(u, "https://app.example/cb?code=abc&state=a%20b%26c%3Dd");
    free(u);
    /* RFC 6749 §3.1.2: the registered query is kept. */
    u = pc_redirect_with("https://app.example/cb?x=1", p2);
    assert_string_equal(u, "https://app.example/cb?x=1&error=access_denied");
    free(u);
}

static void test_origins(void **state)
{
    char o[128];

    (void)state;
    assert_true(pc_redirect_origin("https://App.Example:8443/cb?x=1", o, sizeof o));
    assert_string_equal(o, "https://app.example:8443");
    assert_true(pc_redirect_origin("http://127.0.0.1:3000", o, sizeof o));
    assert_string_equal(o, "http://127.0.0.1:3000");
    assert_false(pc_redirect_origin("com.example.app:/cb", o, sizeof o));
    assert_false(pc_redirect_origin("https:///cb", o, sizeof o));
    assert_false(pc_redirect_origin("https://user@host/cb", o, sizeof o));
    assert_false(pc_redirect_origin("https://a-very-long-host.example/cb", o, 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_match_only),
        cmocka_unit_test(test_parameters_appended),
        cmocka_unit_test(test_origins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
