/* SPDX-License-Identifier: Apache-2.0 */
/* A fixed-size pool of driver connections, opened lazily, shared by all threads. */
#ifndef PC_SQL_POOL_H
#define PC_SQL_POOL_H
#include "sql_driver.h"
#include <portcullis/host.h>

typedef struct sql_pool sql_pool;

sql_pool *sql_pool_new(const sql_driver *drv, const char *uri, unsigned size);
void sql_pool_free(sql_pool *p);
/** Borrow a connection, waiting while all are in use; opens one if needed. */
pc_status sql_pool_acquire(sql_pool *p, sql_conn **out, char *err, size_t errlen);
void sql_pool_release(sql_pool *p, sql_conn *c);
/** Report occupancy and waits through the host's metrics (when the host has them). */
void sql_pool_observe(sql_pool *p, const pc_host *host);
#endif
