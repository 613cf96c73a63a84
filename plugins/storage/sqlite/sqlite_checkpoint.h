/* SPDX-License-Identifier: Apache-2.0 */
/* A background WAL checkpointer per SQLite database file, shared by its connections. */
#ifndef PC_SQLITE_CHECKPOINT_H
#define PC_SQLITE_CHECKPOINT_H

#include <sqlite3.h>

typedef struct sqlite_checkpointer sqlite_checkpointer;

/**
 * Hand `db`'s checkpoints to the background checkpointer of `path`, started
 * on first use. NULL if it could not start: `db` then keeps SQLite's own
 * in-commit checkpoints.
 */
sqlite_checkpointer *sqlite_checkpointer_attach(sqlite3 *db, const char *path);

/** Before closing a connection that attached; the last one stops the thread. */
void sqlite_checkpointer_detach(sqlite_checkpointer *cp);

#endif
