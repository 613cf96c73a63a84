/* SPDX-License-Identifier: Apache-2.0 */
/* Failure throttling per account and per client address: fixed windows of failures, in memory
 * and, where the store shares them (PostgreSQL), counted for the whole cluster. */
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
/** Drop the store's windows that ended before `now` (where the store keeps them). */
void pc_throttle_purge(int64_t now);

/**
 * The progressive delay of a key with more than `ceiling` failures in its
 * window: PC_ERR_LIMIT with *retry_after while its last failure is more recent
 * than 1, 2, 4 … 60 seconds (doubling with each failure past the ceiling).
 * It slows guessing without locking the key out for the window.
 */
pc_status pc_throttle_check_slow(const char *key, int64_t ceiling, int64_t *retry_after);

/** How long a success is remembered by pc_throttle_remember(), seconds (30 days). */
#define PC_THROTTLE_KNOWN_FOR (30 * 86400)
/** Remember that `key` (an account at an address) succeeded just now. */
void pc_throttle_remember(const char *key);
/** Did `key` succeed within PC_THROTTLE_KNOWN_FOR? */
int pc_throttle_known(const char *key);
#endif
