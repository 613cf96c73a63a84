/* SPDX-License-Identifier: Apache-2.0 */
/* The retry schedule of API.md §17: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 2 h, each ±10 %. */
#include "webhooks/deliver.h"
#include "util/crypto.h"

static const int64_t delays_s[] = {5, 30, 120, 600, 1800, 3600};
#define EVERY_S 7200
#define WINDOW_S 86400

int64_t pc_webhook_retry_delay_ms(int64_t attempt, int64_t divisor)
{
    size_t n = sizeof delays_s / sizeof *delays_s;
    int64_t base = attempt >= 1 && (size_t)attempt <= n ? delays_s[attempt - 1] : EVERY_S;
    int64_t ms = base * 1000 / (divisor > 0 ? divisor : 1);
    uint32_t r = 0;

    /* ±10 % so that endpoints that failed together are not retried together */
    pc_random(&r, sizeof r);
    return ms + (ms * (int64_t)(r % 2001) / 10000) - ms / 10;
}

int64_t pc_webhook_window_ms(int64_t divisor)
{
    return (int64_t)WINDOW_S * 1000 / (divisor > 0 ? divisor : 1);
}
