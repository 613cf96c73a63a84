/* SPDX-License-Identifier: Apache-2.0 */
/* Failure throttling per account and per client address: fixed windows of failures, in memory. */
#ifndef PC_OAUTH2_THROTTLE_H
#define PC_OAUTH2_THROTTLE_H
#include <stdint.h>
#include <portcullis/status.h>

/** PC_ERR_LIMIT with *retry_after (seconds) if `key` already has `limit` failures in its window. */
pc_status pc_throttle_check(const char *key, int64_t limit, int64_t *retry_after);
/** Count a failure; returns 1 when this one reaches the limit (a lockout starts). */
int pc_throttle_fail(const char *key, int64_t limit);
/** Forget the failures of `key` (after a success). */
void pc_throttle_clear(const char *key);
#endif
