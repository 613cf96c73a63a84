/* SPDX-License-Identifier: Apache-2.0 */
/* Audit events: written in the same transaction as the change they record. */
#ifndef PC_IAM_AUDIT_H
#define PC_IAM_AUDIT_H
#include <portcullis/portcullis.h>

/**
 * Record event `type` ("user.created") in `tx` (NULL: on its own). actor is a
 * user id, a client_id or "system"; details is borrowed (may be NULL).
 */
pc_status pc_audit_record(pc_store_tx *tx, const char *tenant_id, const char *type,
                          const char *actor, const char *subject, const char *ip,
                          const json_t *details);

/**
 * Where audit events go besides the store (the webhook outbox). `match` says
 * which subscribers want an event (a new JSON array, or NULL for none);
 * `write` adds what they get to the transaction that writes the event.
 */
typedef struct pc_audit_sink {
    json_t *(*match)(pc_store_tx *tx, const char *tenant_id, const char *type);
    pc_status (*write)(pc_store_tx *tx, const json_t *event, const json_t *matched);
} pc_audit_sink;

/** Install the sink (before the server serves; `sink` must outlive it). */
void pc_audit_set_sink(const pc_audit_sink *sink);
#endif
