/* SPDX-License-Identifier: Apache-2.0 */
/* One delivery attempt of a claimed outbox message: post, record, schedule the next or give up. */
#ifndef PC_WEBHOOKS_DELIVER_H
#define PC_WEBHOOKS_DELIVER_H
#include <portcullis/portcullis.h>

/** Seconds a delivery may take before it counts as no answer (API.md §17). */
#define PC_WEBHOOK_TIMEOUT_MS 10000L
/** How long a claimed message stays leased to its node: the timeout and a margin. */
#define PC_WEBHOOK_LEASE_MS 20000

/** The delay before retry `attempt` + 1 after failed attempt `attempt` (1-based), in ms. */
int64_t pc_webhook_retry_delay_ms(int64_t attempt, int64_t divisor);
/** How long after an event (or an endpoint's first failure) delivery is given up, in ms. */
int64_t pc_webhook_window_ms(int64_t divisor);

/** Are the workers still meant to run? A delivery in flight is cut short when not. */
int pc_webhooks_running(void);

/**
 * Deliver claimed message `msg` (attempt `attempt_id`, leased by `node`) and
 * record the outcome; the message is left to its lease on a store failure.
 */
void pc_webhook_deliver(const char *node, const json_t *msg, const char *attempt_id);
#endif
