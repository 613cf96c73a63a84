/* SPDX-License-Identifier: Apache-2.0 */
/* Audit events: written in the same transaction as the change they record. */
#include "iam/audit.h"
#include "server/store.h"
#include "util/log.h"

static const pc_audit_sink *sink;

void pc_audit_set_sink(const pc_audit_sink *s)
{
    sink = s;
}

/* The event and what its subscribers get, in `tx`, or in a transaction of
 * their own when tx is NULL: the outbox row never outlives or misses its event. */
static pc_status write_with_outbox(pc_store_tx *tx, const json_t *rec, const json_t *matched)
{
    pc_store_tx *own = NULL;
    pc_status rc = PC_OK;

    if (tx == NULL && (rc = pc_db_begin(&own)) != PC_OK)
        return rc;
    rc = pc_db_insert(tx ? tx : own, PC_ENT_AUDIT, rec, NULL, 0);
    if (rc == PC_OK)
        rc = sink->write(tx ? tx : own, rec, matched);
    return own ? pc_db_finish(own, rc) : rc;
}

pc_status pc_audit_record(pc_store_tx *tx, const char *tenant_id, const char *type,
                          const char *actor, const char *subject, const char *ip,
                          const json_t *details)
{
    char id[37];
    json_t *rec, *matched;
    pc_status rc;

    pc_uuid7(id);
    rec =
        json_pack("{s:s,s:s,s:s,s:I,s:s,s:s?,s:s?,s:O}", "id", id, "tenant_id", tenant_id, "type",
                  type, "time", (json_int_t)pc_now(), "actor", actor ? actor : "system", "subject",
                  subject, "ip", ip, "details", details ? (json_t *)details : json_object());
    if (details == NULL)
        json_decref(json_object_get(rec, "details"));
    matched = sink != NULL ? sink->match(tx, tenant_id, type) : NULL;
    if (matched != NULL)
        rc = write_with_outbox(tx, rec, matched);
    else
        rc = pc_db_insert(tx, PC_ENT_AUDIT, rec, NULL, 0);
    json_decref(matched);
    json_decref(rec);
    pc_info("audit tenant=%s type=%s actor=%s subject=%s ip=%s", tenant_id, type,
            actor ? actor : "system", subject ? subject : "-", ip ? ip : "-");
    return rc;
}
