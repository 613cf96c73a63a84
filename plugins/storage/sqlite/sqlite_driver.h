/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite sql_driver. */
#ifndef PC_SQLITE_DRIVER_H
#define PC_SQLITE_DRIVER_H
#include "sql_driver.h"
extern const sql_driver pc_sqlite_driver;
#endif
