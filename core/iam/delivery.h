/* SPDX-License-Identifier: Apache-2.0 */
/* The delivery queue: one-time codes leave through a bounded queue and threads of their own, never an HTTP worker. */
#ifndef PC_IAM_DELIVERY_H
#define PC_IAM_DELIVERY_H
#include <portcullis/portcullis.h>

/** How many messages may be on their way at once, and how many threads send them. */
#define PC_DELIVERY_THREADS 2
#define PC_DELIVERY_CAPACITY 256

/** One message to send later; all borrowed for the call (the queue keeps copies). */
typedef struct pc_delivery_spec {
    const char *tenant_id;
    const json_t *provider; /**< the provider record (pc_provider_resolve) */
    const pc_message *msg;
    const char *method;  /**< the scheme ("email", "sms"), for the audit event */
    const char *actor;   /**< audit actor: the user's id or a client_id */
    const char *user_id; /**< audit subject */
    const char *ip;      /**< may be NULL */
    /** Links by email: the audit event of a failed delivery ("link.delivery_failed", whose
     * details name `method` as "kind"); NULL for one-time codes ("mfa.delivery_failed"). */
    const char *failure_event;
} pc_delivery_spec;

/** How a queued message is sent: pc_provider_send() unless a test says otherwise. */
typedef pc_status (*pc_delivery_sender)(const char *tenant_id, const json_t *provider,
                                        const pc_message *msg);

/** Start `threads` senders over a queue of at most `capacity` waiting messages. */
pc_status pc_delivery_start(unsigned threads, unsigned capacity);
/**
 * Stop: the senders finish the message in hand (each bounded by the
 * providers' 10 s timeout); messages still waiting are dropped and counted in
 * the log. Safe to call when not started.
 */
void pc_delivery_stop(void);
/**
 * Queue a message. PC_OK once queued; PC_ERR_UNAVAILABLE when the queue is
 * full or not running (the caller answers 503 AUT-0017 at once). A message
 * that fails later is recorded as the audit event "mfa.delivery_failed" (or the
 * spec's failure_event) and counted in portcullis_mfa_deliveries_total{outcome="failed"}.
 */
pc_status pc_delivery_enqueue(const pc_delivery_spec *spec);
/** Replace the sender (tests); NULL restores pc_provider_send(). Call before start. */
void pc_delivery_set_sender(pc_delivery_sender sender);
#endif
