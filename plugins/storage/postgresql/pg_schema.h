/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL schema migrations, in order. */
#ifndef PC_PG_SCHEMA_H
#define PC_PG_SCHEMA_H
/* Number of migrations, for constant initialisers; pg_schema.c checks it. */
#define PC_PG_MIGRATION_COUNT 18
extern const char *const pc_pg_migrations[];
extern const int pc_pg_migration_count;
#endif
