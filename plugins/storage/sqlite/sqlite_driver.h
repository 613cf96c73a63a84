/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite sql_driver. */
#ifndef PC_SQLITE_DRIVER_H
#define PC_SQLITE_DRIVER_H
#include "sql_driver.h"
extern const sql_driver pc_sqlite_driver;

/**
 * The process's SQLite writer lock: one write transaction at a time, held
 * from BEGIN IMMEDIATE (or a lone write statement) to its end. Re-entrant
 * per thread.
 */
void sqlite_writer_enter(void);
void sqlite_writer_leave(void);
#endif
