/* SPDX-License-Identifier: Apache-2.0 */
/* A storage plugin outside the server (the contract suite, test/bench/seed_store): its host, loading, opening. */
#include "storage_host.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pc_log_level shown = PC_LOG_DEBUG;

static void host_log(pc_log_level level, const char *plugin, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void host_log(pc_log_level level, const char *plugin, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    va_list ap;

    if (level > shown)
        return;
    fprintf(stderr, "[%s] %s: ", names[level <= PC_LOG_DEBUG ? level : PC_LOG_DEBUG], plugin);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int64_t pc_test_now(void)
{
    return (int64_t)time(NULL);
}

static pc_status host_random(void *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, len) : -1;

    if (fd >= 0)
        close(fd);
    return n == (ssize_t)len ? PC_OK : PC_ERR_CRYPTO;
}

static const pc_host host = {
    .abi_major = PC_ABI_MAJOR,
    .abi_minor = PC_ABI_MINOR,
    .struct_size = sizeof(pc_host),
    .log = host_log,
    .now = pc_test_now,
    .random = host_random,
    .free = free,
};

const pc_host *pc_test_host(pc_log_level verbosity)
{
    shown = verbosity;
    return &host;
}

const pc_storage_ops *pc_test_storage_load(const char *path, void **dl)
{
    pc_plugin_entry_fn entry;
    const pc_plugin *p;

    *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (*dl == NULL) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        return NULL;
    }
    entry = (pc_plugin_entry_fn)dlsym(*dl, PC_PLUGIN_ENTRY);
    p = entry != NULL ? entry() : NULL;
    if (p == NULL || p->kind != PC_KIND_STORAGE || p->abi_major != PC_ABI_MAJOR ||
        p->struct_size < sizeof(pc_storage_ops)) {
        fprintf(stderr, "%s: not a storage plugin of ABI %d\n", path, PC_ABI_MAJOR);
        return NULL;
    }
    return (const pc_storage_ops *)p;
}

pc_status pc_test_storage_open(const pc_storage_ops *ops, const pc_host *h, const char *uri,
                               int pool_size, void **st, int *from, int *to)
{
    json_t *cfg = json_pack("{s:s,s:i}", "uri", uri, "pool_size", pool_size);
    pc_status rc = ops->base.init(h, cfg, st);

    json_decref(cfg);
    if (rc == PC_OK)
        rc = ops->open(*st);
    if (rc == PC_OK)
        rc = ops->migrate(*st, from, to);
    return rc;
}
