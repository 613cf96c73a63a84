/* SPDX-License-Identifier: Apache-2.0 */
/* Audit events: written in the same transaction as the change they record. */
#include "iam/audit.h"
#include "server/store.h"
#include "util/log.h"

pc_status pc_audit_record(pc_store_tx *tx, const char *tenant_id, const char *type,
                          const char *actor, const char *subject, const char *ip,
                          const json_t *details)
{
    char id[37];
    json_t *rec;
    pc_status rc;

    pc_uuid7(id);
    rec =
        json_pack("{s:s,s:s,s:s,s:I,s:s,s:s?,s:s?,s:O}", "id", id, "tenant_id", tenant_id, "type",
                  type, "time", (json_int_t)pc_now(), "actor", actor ? actor : "system", "subject",
                  subject, "ip", ip, "details", details ? (json_t *)details : json_object());
    if (details == NULL)
        json_decref(json_object_get(rec, "details"));
    rc = pc_db_insert(tx, PC_ENT_AUDIT, rec, NULL, 0);
    json_decref(rec);
    pc_info("audit type=%s actor=%s subject=%s ip=%s", type, actor ? actor : "system",
            subject ? subject : "-", ip ? ip : "-");
    return rc;
}
