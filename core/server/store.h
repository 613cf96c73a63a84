/* SPDX-License-Identifier: Apache-2.0 */
/* Short calls into the loaded storage plugin, and transactions that cannot be forgotten. */
#ifndef PC_SERVER_STORE_H
#define PC_SERVER_STORE_H

#include "server/server.h"

#define PC_DB (pc_srv->store.ops)
#define PC_DBS (pc_srv->store.state)

static inline pc_status pc_db_begin(pc_store_tx **tx)
{
    return PC_DB->begin(PC_DBS, tx);
}
static inline pc_status pc_db_commit(pc_store_tx *tx)
{
    return PC_DB->commit(tx);
}
static inline void pc_db_rollback(pc_store_tx *tx)
{
    if (tx)
        PC_DB->rollback(tx);
}

static inline pc_status pc_db_get(pc_store_tx *tx, pc_entity e, const char *tenant_id,
                                  const char *field, const char *value, json_t **out)
{
    return PC_DB->get(PC_DBS, tx, e, tenant_id, field, value, out);
}

static inline pc_status pc_db_insert(pc_store_tx *tx, pc_entity e, const json_t *rec,
                                     char *conflict, size_t len)
{
    return PC_DB->insert(PC_DBS, tx, e, rec, conflict, len);
}

static inline pc_status pc_db_update(pc_store_tx *tx, pc_entity e, const char *tenant_id,
                                     const char *id, const json_t *patch, char *conflict,
                                     size_t len)
{
    return PC_DB->update(PC_DBS, tx, e, tenant_id, id, patch, conflict, len);
}

static inline pc_status pc_db_remove(pc_store_tx *tx, pc_entity e, const char *tenant_id,
                                     const char *id)
{
    return PC_DB->remove(PC_DBS, tx, e, tenant_id, id);
}

static inline pc_status pc_db_list(pc_store_tx *tx, pc_entity e, const char *tenant_id,
                                   const pc_store_query *q, json_t **out)
{
    return PC_DB->list(PC_DBS, tx, e, tenant_id, q, out);
}

/** Finish a transaction: commit when rc is PC_OK, else roll back. Returns the final status. */
static inline pc_status pc_db_finish(pc_store_tx *tx, pc_status rc)
{
    if (rc != PC_OK) {
        pc_db_rollback(tx);
        return rc;
    }
    return pc_db_commit(tx);
}

#endif
