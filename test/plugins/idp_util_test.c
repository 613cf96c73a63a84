/* SPDX-License-Identifier: Apache-2.0 */
/* The identity-provider plugins' shared helpers: URL and form encoding, claims mapping, subjects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "idp_util.h"

static void test_url_with_encodes_and_skips_null(void **state)
{
    const char *pairs[] = {"scope", "openid email", "state", "a&b=c", "skip", NULL, "x", "é", NULL};
    char *u = idp_url_with("https://up.example/auth?x=1", pairs);

    (void)state;
    assert_string_equal(
        u, "https://up.example/auth?x=1&scope=openid%20email&state=a%26b%3Dc&x=%C3%A9");
    free(u);
    u = idp_url_with("https://up.example/auth", pairs);
    assert_true(strncmp(u, "https://up.example/auth?scope=", 30) == 0);
    free(u);
}

static void test_form(void **state)
{
    const char *pairs[] = {"grant_type", "authorization_code", "code", "c/+=", NULL};
    char *f = idp_form(pairs);

    (void)state;
    assert_string_equal(f, "grant_type=authorization_code&code=c%2F%2B%3D");
    free(f);
}

static void test_claims_map_paths_types_and_defaults(void **state)
{
    json_t *src = json_loads("{\"login\":\"octo\",\"data\":{\"user\":{\"email\":\"o@x.test\"}},"
                             "\"ev\":\"true\",\"name\":42,\"picture\":\"\"}",
                             0, NULL);
    json_t *mapping =
        json_loads("{\"email\":\"data.user.email\",\"email_verified\":\"ev\"}", 0, NULL);
    json_t *defaults = json_loads("{\"username\":\"login\",\"email\":\"email\",\"name\":\"name\","
                                  "\"picture\":\"picture\"}",
                                  0, NULL);
    json_t *c = idp_claims_map(src, mapping, defaults);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(c, "username")), "octo");
    assert_string_equal(json_string_value(json_object_get(c, "email")), "o@x.test");
    assert_true(json_is_true(json_object_get(c, "email_verified")));
    assert_null(json_object_get(c, "name"));    /* a number is not a name */
    assert_null(json_object_get(c, "picture")); /* nor is an empty string */
    json_decref(c);
    json_decref(src);
    json_decref(mapping);
    json_decref(defaults);
}

static void test_path_depth_is_bounded(void **state)
{
    json_t *deep = json_loads(
        "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}", 0, NULL);

    (void)state;
    assert_non_null(idp_json_path(deep, "a.a.a.a.a.a.a.a"));
    assert_null(idp_json_path(deep, "a.a.a.a.a.a.a.a.a"));
    assert_null(idp_json_path(deep, "a..a"));
    json_decref(deep);
}

static void test_subject_and_amr(void **state)
{
    json_t *n = json_integer(4242), *s = json_string(""),
           *amr = json_loads("[\"pwd\",\"mfa\"]", 0, NULL);
    char *sub = idp_subject_of(n);

    (void)state;
    assert_string_equal(sub, "4242");
    assert_null(idp_subject_of(s));
    assert_true(idp_amr_has_mfa(amr));
    assert_false(idp_amr_has_mfa(NULL));
    free(sub);
    json_decref(n);
    json_decref(s);
    json_decref(amr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_with_encodes_and_skips_null),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_claims_map_paths_types_and_defaults),
        cmocka_unit_test(test_path_depth_is_bounded),
        cmocka_unit_test(test_subject_and_amr),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
