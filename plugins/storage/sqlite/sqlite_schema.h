/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite schema migrations, in order. */
#ifndef PC_SQLITE_SCHEMA_H
#define PC_SQLITE_SCHEMA_H
/* A macro, so that the driver's constant initialiser can use it. */
#define PC_SQLITE_MIGRATION_COUNT 18
extern const char *const pc_sqlite_migrations[PC_SQLITE_MIGRATION_COUNT];
#endif
