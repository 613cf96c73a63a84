/* SPDX-License-Identifier: Apache-2.0 */
/* The storage operations written once over sql_driver, shared by the SQLite and PostgreSQL plugins. */
#ifndef PC_SQL_STORE_H
#define PC_SQL_STORE_H

#include <portcullis/portcullis.h>
#include "sql_driver.h"

/**
 * Create the store state for `drv`. config: {"uri": "...", "pool_size": N}.
 * The state is what every operation below receives.
 */
pc_status sql_store_init(const sql_driver *drv, const pc_host *host, const json_t *config,
                         void **state);
void sql_store_fini(void *state);

pc_status sql_store_open(void *state);
pc_status sql_store_migrate(void *state, int *from, int *to);
pc_status sql_store_schema_version(void *state, int *store, int *supported);
pc_status sql_store_ping(void *state);
pc_status sql_store_begin(void *state, pc_store_tx **tx);
pc_status sql_store_commit(pc_store_tx *tx);
void sql_store_rollback(pc_store_tx *tx);
pc_status sql_store_insert(void *state, pc_store_tx *tx, pc_entity ent, const json_t *rec,
                           char *conflict, size_t conflict_len);
pc_status sql_store_get(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                        const char *field, const char *value, json_t **out);
pc_status sql_store_list(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                         const pc_store_query *q, json_t **out);
pc_status sql_store_update(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                           const char *id, const json_t *patch, char *conflict,
                           size_t conflict_len);
pc_status sql_store_remove(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                           const char *id);
pc_status sql_store_link_add(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                             const char *a, const char *b);
pc_status sql_store_link_remove(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                                const char *a, const char *b);
pc_status sql_store_link_list(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                              const char *id, int reverse, json_t **out);
pc_status sql_store_link_list_many(void *state, pc_store_tx *tx, pc_link kind,
                                   const char *tenant_id, const json_t *ids, int reverse,
                                   json_t **out);
pc_status sql_store_principal_permissions(void *state, pc_store_tx *tx, const char *tenant_id,
                                          const char *principal_id, json_t **out);
pc_status sql_store_principal_roles(void *state, pc_store_tx *tx, const char *tenant_id,
                                    const char *principal_id, json_t **out);
pc_status sql_store_refresh_rotate(void *state, pc_store_tx *tx, const char *tenant_id,
                                   const char *id, int64_t from, const char *client_id,
                                   const char *secret_hash, const char *next_hash,
                                   int64_t expires_at, int64_t now, json_t **out);
pc_status sql_store_refresh_rotate_grace(void *state, pc_store_tx *tx, const char *tenant_id,
                                         const char *id, int64_t from, const char *client_id,
                                         const char *prev_hash, int64_t not_before,
                                         const char *next_hash, int64_t expires_at, int64_t now,
                                         json_t **out);
pc_status sql_store_refresh_revoke(void *state, pc_store_tx *tx, const char *tenant_id,
                                   const char *column, const char *value, int64_t now,
                                   json_t **revoked);
pc_status sql_store_sessions_end(void *state, pc_store_tx *tx, const char *tenant_id,
                                 const char *user_id, int64_t now, json_t **ended);
pc_status sql_store_change_add(void *state, pc_store_tx *tx, const pc_change *c);
pc_status sql_store_change_since(void *state, int64_t after, pc_change *buf, size_t max, size_t *n);
pc_status sql_store_change_purge(void *state, int64_t now);
pc_status sql_store_expire(void *state, pc_entity ent, const char *column, int64_t before);
pc_status sql_store_change_wait(void *state, int timeout_ms);
pc_status sql_store_count(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                          const json_t *filters, int64_t *n);
pc_status sql_store_code_take(void *state, pc_store_tx *tx, const char *tenant_id, const char *id,
                              int64_t now, json_t **out);
pc_status sql_store_webhook_claim(void *state, const char *node, int64_t now_ms, int64_t lease_ms,
                                  const char *attempt_id, json_t **out);
pc_status sql_store_webhook_settle(void *state, const char *tenant_id, const char *message_id,
                                   const char *node, const char *attempt_id, const json_t *attempt,
                                   const json_t *message);
pc_status sql_store_webhook_stats(void *state, int64_t *pending, int64_t *oldest);
/* issue #18 */
pc_status sql_store_logout_claim(void *state, const char *node, int64_t now_ms, int64_t lease_ms,
                                 json_t **out);
/* Cluster-wide failure counters (sql_failures.c): only where the schema has failure_counters. */
pc_status sql_store_failure_add(void *state, const char *key, int64_t now, int64_t window,
                                pc_failure_window *out);
pc_status sql_store_failure_get(void *state, const char *key, int64_t now, int64_t window,
                                pc_failure_window *out);
pc_status sql_store_failure_clear(void *state, const char *key);
pc_status sql_store_failure_purge(void *state, int64_t before);

/** The operation members of a pc_storage_ops, for a backend's descriptor. */
#define SQL_STORE_OPS                                                                             \
    .open = sql_store_open, .migrate = sql_store_migrate,                                         \
    .schema_version = sql_store_schema_version, .ping = sql_store_ping, .begin = sql_store_begin, \
    .commit = sql_store_commit, .rollback = sql_store_rollback, .insert = sql_store_insert,       \
    .get = sql_store_get, .list = sql_store_list, .update = sql_store_update,                     \
    .remove = sql_store_remove, .link_add = sql_store_link_add,                                   \
    .link_remove = sql_store_link_remove, .link_list = sql_store_link_list,                       \
    .principal_permissions = sql_store_principal_permissions,                                     \
    .principal_roles = sql_store_principal_roles, .refresh_rotate = sql_store_refresh_rotate,     \
    .refresh_revoke = sql_store_refresh_revoke, .sessions_end = sql_store_sessions_end,           \
    .change_add = sql_store_change_add, .change_since = sql_store_change_since,                   \
    .change_purge = sql_store_change_purge, .expire = sql_store_expire,                           \
    .code_take = sql_store_code_take, .change_wait = sql_store_change_wait,                       \
    .refresh_rotate_grace = sql_store_refresh_rotate_grace, .count = sql_store_count,             \
    .webhook_claim = sql_store_webhook_claim, .webhook_settle = sql_store_webhook_settle,         \
    .webhook_stats = sql_store_webhook_stats, .logout_claim = sql_store_logout_claim,             \
    .link_list_many = sql_store_link_list_many

#endif
