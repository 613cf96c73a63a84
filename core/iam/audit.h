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
#endif
