/* SPDX-License-Identifier: Apache-2.0 */
/* A storage plugin outside the server (the contract suite, test/bench/seed_store): its host, loading, opening. */
#ifndef PC_TEST_STORAGE_HOST_H
#define PC_TEST_STORAGE_HOST_H
#include <portcullis/portcullis.h>

/** The host the plugin sees: log lines up to `verbosity` on stderr, the clock, /dev/urandom. */
const pc_host *pc_test_host(pc_log_level verbosity);
/** Unix seconds, as the host tells the plugin. */
int64_t pc_test_now(void);
/**
 * dlopen `path` and take its storage plugin of this ABI; *dl keeps the handle. NULL after
 * saying why on stderr.
 */
const pc_storage_ops *pc_test_storage_load(const char *path, void **dl);
/** init with {"uri","pool_size"}, open and migrate into *st; *from and *to say the migration. */
pc_status pc_test_storage_open(const pc_storage_ops *ops, const pc_host *host, const char *uri,
                               int pool_size, void **st, int *from, int *to);
#endif
