/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/authz/step_up.c: which calls need a fresh second factor (API.md §16). */
#include "test_support.h"
#include "authz/step_up.h"

#define NOW 1780315200

static int needed(const char *settings, const char *claims, const char *resource,
                  const char *action, int64_t *max_age)
{
    json_t *s = json_loads(settings, 0, NULL), *c = json_loads(claims, 0, NULL);
    int r = pc_pdp_step_up_needed(s, c, resource, action, NOW, max_age);

    json_decref(s);
    json_decref(c);
    return r;
}

static void test_step_up(void **state)
{
    const char *on =
        "{\"step_up\":{\"permissions\":[\"users:*\",\"roles:create\"],\"max_age\":60}}";
    int64_t age = 0;

    (void)state;
    /* a user token with a password only */
    assert_true(needed(on, "{\"sid\":\"s\",\"amr\":[\"pwd\"],\"auth_time\":1780315190}", "users",
                       "read", &age));
    assert_int_equal(age, 60);
    assert_true(needed(on, "{\"sid\":\"s\",\"amr\":[\"pwd\"]}", "roles", "create", &age));
    assert_false(needed(on, "{\"sid\":\"s\",\"amr\":[\"pwd\"]}", "roles", "read", &age));
    /* a fresh second factor; a stale one */
    assert_false(
        needed(on, "{\"sid\":\"s\",\"amr\":[\"pwd\",\"otp\",\"mfa\"],\"auth_time\":1780315150}",
               "users", "delete", &age));
    assert_true(needed(on,
                       "{\"sid\":\"s\",\"amr\":[\"pwd\",\"otp\",\"mfa\"],\"auth_time\":1780315100}",
                       "users", "delete", &age));
    assert_true(needed(on, "{\"sid\":\"s\",\"amr\":[\"pwd\",\"otp\",\"mfa\"]}", "users", "delete",
                       &age)); /* no auth_time: not known to be fresh */
    /* an application's token (no sid) is never affected */
    assert_false(needed(on, "{\"client_id\":\"c\"}", "users", "read", &age));
    /* no setting, and the default max_age */
    assert_false(needed("{}", "{\"sid\":\"s\",\"amr\":[\"pwd\"]}", "users", "read", &age));
    assert_true(
        needed("{\"step_up\":{\"permissions\":[\"*:*\"]}}", "{\"sid\":\"s\"}", "x", "y", &age));
    assert_int_equal(age, PC_STEP_UP_MAX_AGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_step_up)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
