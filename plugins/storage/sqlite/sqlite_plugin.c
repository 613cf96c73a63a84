/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite storage plugin: the embedded default backend. */
#include "sql_store.h"
#include "sqlite_driver.h"

static pc_status sqlite_init(const pc_host *host, const json_t *config, void **state)
{
    return sql_store_init(&pc_sqlite_driver, host, config, state);
}

static const pc_storage_ops sqlite_ops = {
    .base =
        PC_PLUGIN_BASE(pc_storage_ops, PC_KIND_STORAGE, "sqlite", "1.0.0",
                       "Embedded SQLite store (WAL, foreign keys)", sqlite_init, sql_store_fini),
    .uri_scheme = "sqlite",
    SQL_STORE_OPS,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &sqlite_ops.base;
}
