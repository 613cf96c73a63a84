/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oidc/claims.c: scope parsing and the claims each scope releases (OIDC Core §5.4). */
#include "test_support.h"
#include "oidc/claims.h"

#include <string.h>

static void test_scope_has_matches_whole_items(void **state)
{
    (void)state;
    assert_true(pc_scope_has("openid profile", "openid"));
    assert_true(pc_scope_has("openid profile", "profile"));
    assert_true(pc_scope_has("  openid   email ", "email"));
    assert_false(pc_scope_has("openid profile", "prof"));
    assert_false(pc_scope_has("openid profiles", "profile"));
    assert_false(pc_scope_has("", "openid"));
}

static json_t *user(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "id", "u-1", "username", "ada", "email",
                     "ada@example.org", "name", "Ada", "phone_number", "+15550100", "updated_at",
                     (json_int_t)1700000000, "password_hash", "$argon2id$secret");
}

static void test_claims_follow_scopes(void **state)
{
    json_t *u = user(), *c;

    (void)state;
    c = pc_oidc_user_claims(u, "openid");
    assert_int_equal(json_object_size(c), 1);
    assert_string_equal(json_string_value(json_object_get(c, "sub")), "u-1");
    json_decref(c);

    c = pc_oidc_user_claims(u, "openid profile email phone");
    assert_string_equal(json_string_value(json_object_get(c, "preferred_username")), "ada");
    assert_string_equal(json_string_value(json_object_get(c, "name")), "Ada");
    assert_string_equal(json_string_value(json_object_get(c, "email")), "ada@example.org");
    assert_true(json_is_false(json_object_get(c, "email_verified")));
    assert_string_equal(json_string_value(json_object_get(c, "phone_number")), "+15550100");
    assert_int_equal(json_integer_value(json_object_get(c, "updated_at")), 1700000000);
    /* Nothing internal ever leaks into claims. */
    assert_null(json_object_get(c, "password_hash"));
    assert_null(json_object_get(c, "id"));
    json_decref(c);
    json_decref(u);
}

/* API.md §11: the new profile claims under "profile", email_verified as stored. */
static void test_profile_claims_and_verified_email(void **state)
{
    json_t *u =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "id", "u-3", "username", "cy", "given_name",
                  "Cyrus", "family_name", "Smith", "picture", "https://img.example/cy.png", "email",
                  "cy@example.org", "email_verified", 1);
    json_t *c = pc_oidc_user_claims(u, "openid profile email");

    (void)state;
    assert_string_equal(json_string_value(json_object_get(c, "given_name")), "Cyrus");
    assert_string_equal(json_string_value(json_object_get(c, "family_name")), "Smith");
    assert_string_equal(json_string_value(json_object_get(c, "picture")),
                        "https://img.example/cy.png");
    assert_true(json_is_true(json_object_get(c, "email_verified")));
    json_decref(c);
    /* Without "profile", none of them. */
    c = pc_oidc_user_claims(u, "openid email");
    assert_null(json_object_get(c, "given_name"));
    assert_null(json_object_get(c, "picture"));
    json_decref(c);
    json_decref(u);
}

static void test_absent_values_are_not_claimed(void **state)
{
    json_t *u = json_pack("{s:s,s:s,s:n}", "id", "u-2", "username", "bob", "email");
    json_t *c = pc_oidc_user_claims(u, "openid email");

    (void)state;
    assert_null(json_object_get(c, "email"));
    assert_null(json_object_get(c, "email_verified"));
    json_decref(c);
    json_decref(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scope_has_matches_whole_items),
        cmocka_unit_test(test_claims_follow_scopes),
        cmocka_unit_test(test_profile_claims_and_verified_email),
        cmocka_unit_test(test_absent_values_are_not_claimed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
