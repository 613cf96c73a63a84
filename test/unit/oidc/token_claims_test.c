/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oidc/token_claims.c: claims from user attributes, reserved names refused (API.md §16). */
#include "test_support.h"
#include "oidc/token_claims.h"

#include <string.h>

static const char *problem(const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    const char *p = pc_oidc_token_claims_problem(v);

    json_decref(v);
    return p;
}

static void test_problems(void **state)
{
    (void)state;
    assert_null(problem("{\"blocked_accounts\":\"attributes.blocked\"}"));
    assert_null(problem("null"));
    assert_null(problem("{}"));
    assert_non_null(problem("{\"sub\":\"attributes.x\"}"));
    assert_non_null(problem("{\"act\":\"attributes.x\"}"));
    assert_non_null(problem("{\"email\":\"attributes.x\"}"));
    assert_non_null(problem("{\"a b\":\"attributes.x\"}"));
    assert_non_null(problem("{\"\":\"attributes.x\"}"));
    assert_non_null(problem("{\"x\":\"password_hash\"}"));
    assert_non_null(problem("{\"x\":\"attributes.\"}"));
    assert_non_null(problem("{\"x\":5}"));
    assert_non_null(problem("[\"x\"]"));
}

static void test_values(void **state)
{
    json_t *tc =
        json_pack("{s:s,s:s}", "blocked_accounts", "attributes.blocked", "tier", "attributes.tier");
    json_t *user =
        json_pack("{s:s,s:{s:[s,s]}}", "id", "u1", "attributes", "blocked", "acc-2", "acc-3");
    json_t *got = pc_oidc_token_claims_values(tc, user);
    json_t *claims = json_pack("{s:s,s:s}", "sub", "u1", "blocked_accounts", "kept");
    json_t *bare = json_object();

    (void)state;
    assert_non_null(got);
    assert_int_equal(json_object_size(got), 1); /* no tier attribute: no claim */
    assert_int_equal(json_array_size(json_object_get(got, "blocked_accounts")), 2);
    pc_oidc_token_claims_add(claims, got);
    assert_string_equal(json_string_value(json_object_get(claims, "blocked_accounts")), "kept");
    json_object_del(claims, "blocked_accounts");
    pc_oidc_token_claims_add(claims, got);
    assert_true(json_is_array(json_object_get(claims, "blocked_accounts")));
    assert_null(pc_oidc_token_claims_values(tc, bare)); /* a user without attributes */
    pc_oidc_token_claims_add(claims, NULL);
    json_decref(bare);
    json_decref(got);
    json_decref(claims);
    json_decref(user);
    json_decref(tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_problems),
                                       cmocka_unit_test(test_values)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
