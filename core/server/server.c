/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the server: plugins, the storage backend, the master key. */
#include "server/server.h"
#include "server/host.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/password.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

pc_server *pc_srv;

int64_t pc_now(void)
{
    static int64_t offset = -1;

    /* Tests move the clock forward to expire codes and tokens. */
    if (offset < 0) {
        const char *o = getenv("PORTCULLIS_TEST_CLOCK_OFFSET");
        offset = o ? strtoll(o, NULL, 10) : 0;
    }
    return (int64_t)time(NULL) + offset;
}

/* mkdir -p for the directory holding `path`. */
static void make_parent_dirs(const char *path)
{
    char *copy = pc_strdup(path), *dir = dirname(copy);

    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    }
    mkdir(dir, 0700);
    free(copy);
}

static int create_master_key(const char *path)
{
    uint8_t key[PC_MASTER_KEY_LEN];
    int fd;
    ssize_t n;

    make_parent_dirs(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -1;
    if (pc_random(key, sizeof key) != PC_OK) {
        close(fd);
        return -1;
    }
    n = write(fd, key, sizeof key);
    gnutls_memset(key, 0, sizeof key);
    close(fd);
    pc_info("created a new master key at %s: keep it safe, it encrypts keys at rest", path);
    return n == (ssize_t)sizeof key ? 0 : -1;
}

/* The default tenant's record: 1 (in *tenant, new), 0 in an empty store, -1 on a store error. */
static int default_tenant(pc_server *srv, json_t **tenant)
{
    int version = 0, supported = 0;
    pc_status rc = srv->store.ops->schema_version(srv->store.state, &version, &supported);

    *tenant = NULL;
    if (rc == PC_OK && version == 0)
        return 0; /* never migrated: nothing in it */
    if (rc == PC_OK)
        rc = srv->store.ops->get(srv->store.state, NULL, PC_ENT_TENANT, NULL, "slug", "default",
                                 tenant);
    if (rc == PC_OK || rc == PC_ERR_NOT_FOUND)
        return rc == PC_OK;
    pc_error("cannot read the store to check the master key: %s", pc_status_str(rc));
    return -1;
}

/*
 * Does the master key open what the store holds? The check tries to unseal one
 * signing key of tenant "default" (every tenant has keys from its creation, and
 * an AEAD tag cannot verify under another key), so it works on every existing
 * store without a stored check value or a schema change.
 */
static int master_key_matches(pc_server *srv, const json_t *tenant)
{
    pc_store_query q = {.filters = NULL, .after = NULL, .limit = 1, .descending = 0};
    json_t *keys = NULL, *rec;
    uint8_t *plain = NULL;
    size_t len = 0;
    pc_status rc =
        srv->store.ops->list(srv->store.state, NULL, PC_ENT_KEY,
                             json_string_value(json_object_get(tenant, "id")), &q, &keys);

    if (rc != PC_OK) {
        pc_error("cannot read the store to check the master key: %s", pc_status_str(rc));
        return -1;
    }
    rec = json_array_get(keys, 0);
    rc = rec == NULL
             ? PC_OK
             : pc_unseal(srv->master_key, json_string_value(json_object_get(rec, "id")),
                         json_string_value(json_object_get(rec, "private_enc")), &plain, &len);
    if (plain != NULL) {
        gnutls_memset(plain, 0, len);
        free(plain);
    }
    json_decref(keys);
    return rc == PC_OK ? 0 : -1;
}

static int check_master_key(pc_server *srv)
{
    json_t *tenant = NULL;
    int found = default_tenant(srv, &tenant), rc = 0;

    if (found > 0 && master_key_matches(srv, tenant) != 0) {
        pc_error("the master key %s does not match the store: it cannot decrypt the store's "
                 "signing keys. Point PORTCULLIS_MASTER_KEY_FILE at the key this store was "
                 "created with; refusing to start",
                 srv->cfg.master_key_file);
        rc = -1;
    }
    json_decref(tenant);
    return found < 0 ? -1 : rc;
}

/* A missing key file is created only for a store that holds nothing sealed yet. */
static int create_master_key_if_new(pc_server *srv)
{
    const char *path = srv->cfg.master_key_file;
    json_t *tenant = NULL;
    int found = default_tenant(srv, &tenant);

    json_decref(tenant);
    if (found < 0)
        return -1;
    if (found > 0) {
        pc_error("the master key %s is missing, but the store already holds data sealed with a "
                 "master key: restore that key file (PORTCULLIS_MASTER_KEY_FILE); a new key "
                 "would not match the store, so none is created and the server does not start",
                 path);
        return -1;
    }
    return create_master_key(path);
}

static int load_master_key(pc_server *srv)
{
    const char *path = srv->cfg.master_key_file;
    int fd = open(path, O_RDONLY);
    uint8_t extra;
    ssize_t n;

    if (fd < 0 && errno == ENOENT) {
        if (create_master_key_if_new(srv) != 0)
            return -1;
        fd = open(path, O_RDONLY);
    }
    if (fd < 0) {
        pc_error("cannot read the master key %s: %s", path, strerror(errno));
        return -1;
    }
    n = read(fd, srv->master_key, sizeof srv->master_key);
    /* Exactly 32 bytes: a longer file is not the key we made, maybe not a key at all. */
    if (n == (ssize_t)sizeof srv->master_key && read(fd, &extra, 1) != 0)
        n = -1;
    close(fd);
    if (n != (ssize_t)sizeof srv->master_key) {
        pc_error("master key %s must hold exactly %d bytes", path, PC_MASTER_KEY_LEN);
        return -1;
    }
    /* Separate keys for client-secret hashes and refresh-token MACs, so no two uses meet.
     * A failure would leave a key of zeros that anyone could use: refuse to start. */
    if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, srv->master_key, sizeof srv->master_key,
                         "portcullis client secrets", 25, srv->secret_pepper) < 0 ||
        gnutls_hmac_fast(GNUTLS_MAC_SHA256, srv->master_key, sizeof srv->master_key,
                         "portcullis refresh tokens", 25, srv->refresh_key) < 0) {
        pc_error("cannot derive keys from the master key");
        return -1;
    }
    return check_master_key(srv);
}

static const char *uri_scheme(const char *uri, char *buf, size_t len)
{
    const char *sep = strstr(uri, "://");
    size_t n = sep ? (size_t)(sep - uri) : 0;

    if (n == 0 || n >= len)
        return NULL;
    memcpy(buf, uri, n);
    buf[n] = '\0';
    /* libpq also accepts postgres:// */
    return strcmp(buf, "postgres") == 0 ? "postgresql" : buf;
}

static pc_loaded_plugin *storage_for(pc_server *srv, const char *scheme)
{
    for (size_t i = 0; i < srv->plugins.n; i++) {
        pc_loaded_plugin *p = &srv->plugins.items[i];
        const pc_storage_ops *ops = (const pc_storage_ops *)p->desc;
        if (ops->base.kind == PC_KIND_STORAGE && strcmp(ops->uri_scheme, scheme) == 0)
            return p;
    }
    return NULL;
}

static int open_store(pc_server *srv, int migrate)
{
    char buf[32];
    const char *scheme = uri_scheme(srv->cfg.store, buf, sizeof buf);
    pc_loaded_plugin *p = scheme ? storage_for(srv, scheme) : NULL;
    const pc_storage_ops *ops;
    json_t *conf;
    int from = 0, to = 0;
    long threads = srv->cfg.threads > 0 ? (long)srv->cfg.threads : sysconf(_SC_NPROCESSORS_ONLN);

    if (p == NULL) {
        pc_error("no storage plugin serves \"%s\" (PORTCULLIS_STORE)",
                 scheme ? scheme : srv->cfg.store);
        return -1;
    }
    /* Only the backend in use stays loaded. */
    pc_registry_keep_only(&srv->plugins, PC_KIND_STORAGE, p->desc->name);
    p = storage_for(srv, scheme);
    ops = (const pc_storage_ops *)p->desc;
    /* Members the host calls without looking (the size check guarantees they exist). */
    if (ops->refresh_rotate == NULL || ops->refresh_revoke == NULL) {
        pc_error("storage plugin %s cannot rotate refresh tokens (refresh_rotate, schema 4)",
                 p->desc->name);
        return -1;
    }
    if (strcmp(scheme, "sqlite") == 0)
        make_parent_dirs(srv->cfg.store + strlen("sqlite://"));
    /* Pool: one connection per HTTP thread plus room for background work. */
    conf = json_pack("{s:s,s:I}", "uri", srv->cfg.store, "pool_size", (json_int_t)(threads + 4));
    if (ops->base.init(srv->host, conf, &p->state) != PC_OK) {
        json_decref(conf);
        return -1;
    }
    json_decref(conf);
    p->initialised = 1;
    srv->store.ops = ops;
    srv->store.state = p->state;
    if (ops->open(p->state) != PC_OK || (migrate && ops->migrate(p->state, &from, &to) != PC_OK))
        return -1;
    if (migrate && from != to)
        pc_info("store migrated from schema version %d to %d", from, to);
    return 0;
}

int pc_server_open(pc_server *srv, int migrate)
{
    char *dir;

    pc_srv = srv;
    srv->host = pc_host_table();
    pc_password_configure((uint32_t)srv->cfg.argon2_t_cost, (uint32_t)srv->cfg.argon2_m_cost,
                          (uint32_t)srv->cfg.argon2_parallelism);
    dir = pc_plugins_default_dir(srv->cfg.plugin_dir);
    if (pc_registry_scan(&srv->plugins, dir) < 0) {
        free(dir);
        return -1;
    }
    free(dir);
    /* The store first: whether a missing key may be created depends on what it holds. */
    if (open_store(srv, migrate) != 0 || load_master_key(srv) != 0)
        return -1;
    pc_registry_init_kind(&srv->plugins, PC_KIND_GRANT, srv->host);
    pc_registry_init_kind(&srv->plugins, PC_KIND_SCHEME, srv->host);
    pc_registry_init_kind(&srv->plugins, PC_KIND_PROVIDER, srv->host);
    pc_registry_init_kind(&srv->plugins, PC_KIND_IDP, srv->host);
    return 0;
}

void pc_server_close(pc_server *srv)
{
    pc_registry_free(&srv->plugins);
    gnutls_memset(srv->master_key, 0, sizeof srv->master_key);
    gnutls_memset(srv->secret_pepper, 0, sizeof srv->secret_pepper);
    gnutls_memset(srv->refresh_key, 0, sizeof srv->refresh_key);
    pc_config_free(&srv->cfg);
}
