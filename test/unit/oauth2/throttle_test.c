/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oauth2/throttle.c: failures counted per key in a window, lockout at the limit,
 * progressive delay past a ceiling, remembered successes. */
#include "test_support.h"
#include "oauth2/throttle.h"
#include "server/server.h"

#include <stdio.h>

static pc_server srv;

static int setup(void **state)
{
    (void)state;
    srv.cfg.limit_window = 900;
    pc_srv = &srv;
    return 0;
}

static void test_lockout_at_limit(void **state)
{
    int64_t retry = 0;

    (void)state;
    assert_int_equal(pc_throttle_check("user:t:ada", 3, &retry), PC_OK);
    assert_int_equal(pc_throttle_fail("user:t:ada", 3), 0);
    assert_int_equal(pc_throttle_fail("user:t:ada", 3), 0);
    assert_int_equal(pc_throttle_check("user:t:ada", 3, &retry), PC_OK);
    /* The third failure reaches the limit: it reports the lockout once. */
    assert_int_equal(pc_throttle_fail("user:t:ada", 3), 1);
    assert_int_equal(pc_throttle_check("user:t:ada", 3, &retry), PC_ERR_LIMIT);
    assert_true(retry > 0 && retry <= 900);
    assert_int_equal(pc_throttle_fail("user:t:ada", 3), 0);
}

static void test_keys_are_independent(void **state)
{
    int64_t retry = 0;

    (void)state;
    for (int i = 0; i < 5; i++)
        pc_throttle_fail("user:t:eve", 5);
    assert_int_equal(pc_throttle_check("user:t:eve", 5, &retry), PC_ERR_LIMIT);
    assert_int_equal(pc_throttle_check("user:t:bob", 5, &retry), PC_OK);
    assert_int_equal(pc_throttle_check("user:other:eve", 5, &retry), PC_OK);
}

static void test_clear_forgets(void **state)
{
    int64_t retry = 0;

    (void)state;
    pc_throttle_fail("user:t:kim", 2);
    pc_throttle_fail("user:t:kim", 2);
    assert_int_equal(pc_throttle_check("user:t:kim", 2, &retry), PC_ERR_LIMIT);
    pc_throttle_clear("user:t:kim");
    assert_int_equal(pc_throttle_check("user:t:kim", 2, &retry), PC_OK);
}

static void test_slow_past_ceiling(void **state)
{
    int64_t retry = 0;

    (void)state;
    pc_throttle_fail("user:t:sam", 2);
    assert_int_equal(pc_throttle_check_slow("user:t:sam", 2, &retry), PC_OK);
    /* At the ceiling the next attempt waits a second after the last failure, not the window. */
    pc_throttle_fail("user:t:sam", 2);
    assert_int_equal(pc_throttle_check_slow("user:t:sam", 2, &retry), PC_ERR_LIMIT);
    assert_int_equal(retry, 1);
    /* Each further failure doubles the wait, up to a minute. */
    pc_throttle_fail("user:t:sam", 2);
    pc_throttle_fail("user:t:sam", 2);
    assert_int_equal(pc_throttle_check_slow("user:t:sam", 2, &retry), PC_ERR_LIMIT);
    assert_int_equal(retry, 4);
    for (int i = 0; i < 20; i++)
        pc_throttle_fail("user:t:sam", 2);
    assert_int_equal(pc_throttle_check_slow("user:t:sam", 2, &retry), PC_ERR_LIMIT);
    assert_int_equal(retry, 60);
}

/* A table full of live windows still counts new keys (one old window makes room). */
static void test_full_table_still_counts(void **state)
{
    char key[64];
    int64_t retry = 0;

    (void)state;
    for (int i = 0; i < 100100; i++) {
        snprintf(key, sizeof key, "addr:fill-%d", i);
        pc_throttle_fail(key, 1000);
    }
    for (int i = 0; i < 3; i++)
        pc_throttle_fail("user:t:late", 3);
    assert_int_equal(pc_throttle_check("user:t:late", 3, &retry), PC_ERR_LIMIT);
}

static void test_known_addresses(void **state)
{
    (void)state;
    assert_false(pc_throttle_known("user:t:lea@10.0.0.1"));
    pc_throttle_remember("user:t:lea@10.0.0.1");
    assert_true(pc_throttle_known("user:t:lea@10.0.0.1"));
    assert_false(pc_throttle_known("user:t:lea@10.0.0.2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lockout_at_limit), cmocka_unit_test(test_keys_are_independent),
        cmocka_unit_test(test_clear_forgets),    cmocka_unit_test(test_slow_past_ceiling),
        cmocka_unit_test(test_known_addresses),  cmocka_unit_test(test_full_table_still_counts),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
