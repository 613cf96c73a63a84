/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oauth2/device.c: user codes as people type them (RFC 8628 §6.1). */
#include "test_support.h"
#include "oauth2/device.h"

static void test_user_code_normalised(void **state)
{
    char buf[9];

    (void)state;
    assert_true(pc_device_user_code_normalise("WDJB-MJHT", buf));
    assert_string_equal(buf, "WDJBMJHT");
    assert_true(pc_device_user_code_normalise("wdjb mjht", buf));
    assert_string_equal(buf, "WDJBMJHT");
    assert_true(pc_device_user_code_normalise("wd-jb-mj-ht", buf));
    assert_string_equal(buf, "WDJBMJHT");
    /* Vowels, digits and look-alikes are not in the alphabet. */
    assert_false(pc_device_user_code_normalise("WDJA-MJHT", buf));
    assert_false(pc_device_user_code_normalise("WDJ1-MJHT", buf));
    assert_false(pc_device_user_code_normalise("WDJB-MJH", buf));
    assert_false(pc_device_user_code_normalise("WDJB-MJHTB", buf));
    assert_false(pc_device_user_code_normalise("", buf));
    assert_false(pc_device_user_code_normalise(NULL, buf));
    assert_false(pc_device_user_code_normalise("B-B-B-B-B-B-B-B-B-B-B-B-B-B-B-B-B", buf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_code_normalised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
