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

/* RFC 8252 §7.3: a loopback registration matches any port, and nothing else differs. */
static void test_loopback_any_port(void **state)
{
    json_t *reg = json_pack("[s,s,s]", "http://127.0.0.1/cb", "http://[::1]:8080/cb?x=1",
                            "https://app.example/cb");

    (void)state;
    assert_true(pc_redirect_uri_allowed(reg, "http://127.0.0.1/cb"));
    assert_true(pc_redirect_uri_allowed(reg, "http://127.0.0.1:51004/cb"));
    assert_true(pc_redirect_uri_allowed(reg, "http://[::1]/cb?x=1"));
    assert_true(pc_redirect_uri_allowed(reg, "http://[::1]:1/cb?x=1"));
    assert_true(pc_redirect_uri_allowed(reg, "https://app.example/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "http://127.0.0.1:51004/cb2"));
    assert_false(pc_redirect_uri_allowed(reg, "http://127.0.0.1:51004/cb?x=1"));
    assert_false(pc_redirect_uri_allowed(reg, "http://127.0.0.1:/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "http://127.0.0.1:123456/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "http://127.0.0.10:80/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "http://127.0.0.1.evil/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "http://127.0.0.1@evil.example/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "http://localhost:51004/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "https://127.0.0.1:51004/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "https://app.example:8443/cb"));
    assert_false(pc_redirect_uri_allowed(reg, "http://[::1]:8080/cb"));
    assert_false(pc_redirect_uri_allowed(reg, NULL));
    json_decref(reg);
}

/* What may be registered: absolute URIs, or a private-use scheme with a dot (RFC 8252 §7.1). */
static void test_valid_registrations(void **state)
{
    (void)state;
    assert_true(pc_redirect_uri_valid("https://app.example/cb"));
    assert_true(pc_redirect_uri_valid("http://127.0.0.1/cb"));
    assert_true(pc_redirect_uri_valid("com.example.app:/oauth2redirect"));
    assert_true(pc_redirect_uri_valid("com.example-app+x.v2:/cb?x=1"));
    assert_false(pc_redirect_uri_valid("myapp:/cb"));
    assert_false(pc_redirect_uri_valid("javascript:alert(1)"));
    assert_false(pc_redirect_uri_valid("data:text/html,x"));
    assert_false(pc_redirect_uri_valid("com.example.app:cb"));
    assert_false(pc_redirect_uri_valid("com.example.app://"));
    assert_false(pc_redirect_uri_valid("1com.example.app:/cb"));
    assert_false(pc_redirect_uri_valid("com.exam ple.app:/cb"));
    assert_false(pc_redirect_uri_valid("com.example.app:/cb#frag"));
    assert_false(pc_redirect_uri_valid("https://app.example/c b"));
    assert_false(pc_redirect_uri_valid(":/cb"));
    assert_false(pc_redirect_uri_valid(""));
    assert_false(pc_redirect_uri_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_match_only),
        cmocka_unit_test(test_parameters_appended),
        cmocka_unit_test(test_origins),
        cmocka_unit_test(test_loopback_any_port),
        cmocka_unit_test(test_valid_registrations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
