/* SPDX-License-Identifier: Apache-2.0 */
/* Webhooks: the transactional outbox of audit events, their signing, and the delivery workers. */
#ifndef PC_WEBHOOKS_WEBHOOKS_H
#define PC_WEBHOOKS_WEBHOOKS_H
#include <portcullis/portcullis.h>
#include <stddef.h>

/** Register the outbox with the audit trail and the caches with the change feed. */
void pc_webhooks_init(void);
/** Start `workers` delivery threads (0: none; this node then only writes the outbox). */
pc_status pc_webhooks_start(unsigned workers);
/** Stop the delivery threads; a delivery in flight is finished or left to its lease. */
void pc_webhooks_stop(void);
/** Drop the subscriptions cache; used when the feed is written. */
void pc_webhooks_forget(void);
/** Wake idle workers: rows were (or are about to be) written. */
void pc_webhooks_kick(void);

/**
 * Append to `tx` the feed entry that makes every node reload tenant's
 * subscriptions, and forget them here. Call it after the transaction's last
 * audit event, so that what that event cached of the transaction's own view
 * is forgotten too (committed or not).
 */
pc_status pc_webhooks_changed(pc_store_tx *tx, const char *tenant_id);
/**
 * Queue one message of type `type` carrying `event` (an audit event record,
 * borrowed) to webhook `webhook_id` in `tx`; its id (the webhook-id) into id[37].
 */
pc_status pc_webhooks_enqueue(pc_store_tx *tx, const char *tenant_id, const char *webhook_id,
                              const json_t *event, char id[37]);

/** A new secret, "whsec_" + base64 of 24 random bytes (free with pc_free_secret). */
char *pc_webhook_secret_new(void);
/** The secret sealed under the master key for webhook `id` (new), or NULL. */
char *pc_webhook_secret_seal(const char *id, const char *secret);
/** The secret a webhook record holds in `column` (new, pc_free_secret), or NULL. */
char *pc_webhook_secret_open(const json_t *webhook, const char *column);
/**
 * The webhook-signature header value for `id`, `timestamp` and `body` under
 * each of the NULL-terminated `secrets`: "v1,<b64> v1,<b64>" (new).
 */
char *pc_webhook_signature(const char *const *secrets, const char *id, long long timestamp,
                           const char *body, size_t body_len);

/** May webhooks reach private addresses (webhook_allow_private or outbound_allow_private)? */
int pc_webhooks_allow_private(void);
/** Why `url` may not be saved for a webhook (a static sentence starting "url"), or NULL. */
const char *pc_webhook_url_problem(const char *url);

/**
 * Now in Unix milliseconds, on the same clock as pc_now() (tests may shift it).
 */
int64_t pc_webhooks_now_ms(void);
#endif
