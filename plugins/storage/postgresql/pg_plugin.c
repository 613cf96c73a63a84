/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL storage plugin: the production backend. */
#include "sql_store.h"
#include "pg_driver.h"

static pc_status pg_init(const pc_host *host, const json_t *config, void **state)
{
    return sql_store_init(&pc_pg_driver, host, config, state);
}

static const pc_storage_ops pg_ops = {
    .base = PC_PLUGIN_BASE(pc_storage_ops, PC_KIND_STORAGE, "postgresql", "1.0.0",
                           "PostgreSQL store (libpq, pooled connections, prepared statements)",
                           pg_init, sql_store_fini),
    .uri_scheme = "postgresql",
    SQL_STORE_OPS,
    /* Counters every node consults, in an UNLOGGED table (schema 15). */
    .failure_add = sql_store_failure_add,
    .failure_get = sql_store_failure_get,
    .failure_clear = sql_store_failure_clear,
    .failure_purge = sql_store_failure_purge,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &pg_ops.base;
}
