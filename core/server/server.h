/* SPDX-License-Identifier: Apache-2.0 */
/* The process-wide server state: configuration, plugins, store, caches. */
#ifndef PC_SERVER_SERVER_H
#define PC_SERVER_SERVER_H

/**
 * The schema version this build's storage plugins migrate a store to (shown by
 * `portcullis version` and portcullis_build_info; test/e2e/cli.test.mjs checks it
 * against what `migrate` reaches).
 */
#define PC_STORE_SCHEMA_VERSION 18

#include <portcullis/portcullis.h>
#include "server/config.h"
#include "server/plugins.h"
#include "util/crypto.h"

typedef struct pc_store {
    const pc_storage_ops *ops;
    void *state;
} pc_store;

typedef struct pc_server {
    pc_config cfg;
    pc_registry plugins;
    pc_store store;
    uint8_t master_key[PC_MASTER_KEY_LEN];
    /** Key for hashing client secrets (derived from the master key). */
    uint8_t secret_pepper[32];
    /** Key for the MACs of refresh tokens (derived from the master key). */
    uint8_t refresh_key[32];
    const pc_host *host;
} pc_server;

/**
 * Seconds a client is told to wait (Retry-After) when the store cannot be
 * reached: such an answer is 503, never an authentication failure.
 */
#define PC_STORE_RETRY_AFTER 5
#define PC_STORE_RETRY_AFTER_TEXT "5"

/** The one server of this process; set by pc_server_open(). */
extern pc_server *pc_srv;

/**
 * Load config-independent parts: plugins from cfg->plugin_dir, the storage
 * plugin for cfg->store (required), the master key. Migrates the store when
 * `migrate` is set. Returns 0 or -1 (logged).
 */
int pc_server_open(pc_server *srv, int migrate);
void pc_server_close(pc_server *srv);

/** Current time in Unix seconds (tests may shift it with PORTCULLIS_TEST_CLOCK_OFFSET). */
int64_t pc_now(void);

#endif
