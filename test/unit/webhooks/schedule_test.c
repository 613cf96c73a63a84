/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/webhooks/schedule.c: the retry schedule of API.md §17 and its jitter. */
#include "test_support.h"
#include "webhooks/deliver.h"

static void follows_the_schedule_within_ten_percent(void **state)
{
    static const int64_t want_s[] = {5, 30, 120, 600, 1800, 3600, 7200, 7200, 7200};

    (void)state;
    for (size_t i = 0; i < sizeof want_s / sizeof *want_s; i++)
        for (int k = 0; k < 200; k++) {
            int64_t ms = pc_webhook_retry_delay_ms((int64_t)i + 1, 1);
            assert_in_range(ms, want_s[i] * 900, want_s[i] * 1100);
        }
}

static void the_jitter_spreads_retries(void **state)
{
    int64_t lo = INT64_MAX, hi = 0;

    (void)state;
    for (int k = 0; k < 500; k++) {
        int64_t ms = pc_webhook_retry_delay_ms(2, 1);
        lo = ms < lo ? ms : lo;
        hi = ms > hi ? ms : hi;
    }
    assert_true(hi - lo > 3000); /* of the 6 s the ±10 % of 30 s allows */
}

static void the_test_divisor_shortens_everything(void **state)
{
    (void)state;
    assert_int_equal(pc_webhook_window_ms(1), 86400000);
    assert_int_equal(pc_webhook_window_ms(10000), 8640);
    assert_in_range(pc_webhook_retry_delay_ms(1, 100), 45, 55);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(follows_the_schedule_within_ten_percent),
        cmocka_unit_test(the_jitter_spreads_retries),
        cmocka_unit_test(the_test_divisor_shortens_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
