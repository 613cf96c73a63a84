/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL (libpq) sql_driver. */
#ifndef PC_PG_DRIVER_H
#define PC_PG_DRIVER_H
#include "sql_driver.h"
extern const sql_driver pc_pg_driver;
#endif
