/* SPDX-License-Identifier: Apache-2.0 */
/* Server settings: defaults, then an optional libconfig file, then the environment. */
#include "server/config.h"
#include "util/mem.h"
#include "util/netaddr.h"

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OPT_STR, OPT_INT, OPT_BOOL } opt_type;

/* One setting: its key in the file, its environment variable, its default. */
typedef struct option {
    const char *key;
    const char *env;
    opt_type type;
    size_t offset;
    const char *def;
    int64_t min, max;
} option;

#define STR(k, e, f, d)                                \
    {                                                  \
        k, e, OPT_STR, offsetof(pc_config, f), d, 0, 0 \
    }
#define BOOL(k, e, f, d)                                \
    {                                                   \
        k, e, OPT_BOOL, offsetof(pc_config, f), d, 0, 0 \
    }
#define INT(k, e, f, d, lo, hi)                          \
    {                                                    \
        k, e, OPT_INT, offsetof(pc_config, f), d, lo, hi \
    }

static const option options[] = {
    STR("listen", "PORTCULLIS_LISTEN", listen, "127.0.0.1:8080"),
    STR("public_url", "PORTCULLIS_PUBLIC_URL", public_url, NULL),
    STR("store", "PORTCULLIS_STORE", store, "sqlite://./portcullis-data/portcullis.db"),
    STR("master_key_file", "PORTCULLIS_MASTER_KEY_FILE", master_key_file,
        "./portcullis-data/master.key"),
    STR("admin_password", "PORTCULLIS_ADMIN_PASSWORD", admin_password, NULL),
    STR("admin_client_secret", "PORTCULLIS_ADMIN_CLIENT_SECRET", admin_client_secret, NULL),
    STR("plugin_dir", "PORTCULLIS_PLUGIN_DIR", plugin_dir, NULL),
    STR("log_level", "PORTCULLIS_LOG_LEVEL", log_level, "info"),
    STR("webapp_dir", "PORTCULLIS_WEBAPP_DIR", webapp_dir, NULL),
    INT("threads", "PORTCULLIS_THREADS", threads, "0", 0, 256),
    INT("max_body", "PORTCULLIS_MAX_BODY", max_body, "65536", 1024, 16777216),
    INT("argon2_t_cost", "PORTCULLIS_ARGON2_T_COST", argon2_t_cost, "2", 1, 100),
    INT("argon2_m_cost", "PORTCULLIS_ARGON2_M_COST", argon2_m_cost, "19456", 8, 4194304),
    INT("argon2_parallelism", "PORTCULLIS_ARGON2_PARALLELISM", argon2_parallelism, "1", 1, 64),
    INT("limit_account", "PORTCULLIS_LIMIT_ACCOUNT", limit_account, "10", 1, 1000000),
    INT("limit_address", "PORTCULLIS_LIMIT_ADDRESS", limit_address, "100", 1, 1000000),
    INT("limit_account_global", "PORTCULLIS_LIMIT_ACCOUNT_GLOBAL", limit_account_global, "100", 1,
        1000000),
    INT("limit_window", "PORTCULLIS_LIMIT_WINDOW", limit_window, "900", 1, 86400),
    INT("access_ttl", "PORTCULLIS_ACCESS_TTL", access_ttl, "900", 30, 86400),
    INT("refresh_ttl", "PORTCULLIS_REFRESH_TTL", refresh_ttl, "2592000", 60, 31536000),
    INT("session_ttl", "PORTCULLIS_SESSION_TTL", session_ttl, "86400", 60, 31536000),
    INT("key_publish_delay", "PORTCULLIS_KEY_PUBLISH_DELAY", key_publish_delay, "300", 0, 86400),
    INT("change_poll_ms", "PORTCULLIS_CHANGE_POLL_MS", change_poll_ms, "1000", 10, 60000),
    INT("code_ttl", "PORTCULLIS_CODE_TTL", code_ttl, "60", 1, 600),
    INT("audit_retention_days", "PORTCULLIS_AUDIT_RETENTION_DAYS", audit_retention_days, "90", 1,
        36500),
    BOOL("outbound_allow_private", "PORTCULLIS_OUTBOUND_ALLOW_PRIVATE", outbound_allow_private,
         "false"),
    INT("refresh_grace", "PORTCULLIS_REFRESH_GRACE", refresh_grace, "30", 0, 300),
    INT("session_idle_ttl", "PORTCULLIS_SESSION_IDLE_TTL", session_idle_ttl, "0", 0, 31536000),
    INT("token_cache_bytes", "PORTCULLIS_TOKEN_CACHE_BYTES", token_cache_bytes, "16777216", 0,
        4294967296LL),
    /* ---- cache budgets (issue 20; docs/scaling.md) ---- */
    INT("permission_cache_bytes", "PORTCULLIS_PERMISSION_CACHE_BYTES", permission_cache_bytes,
        "8388608", 0, 4294967296LL),
    INT("application_cache_bytes", "PORTCULLIS_APPLICATION_CACHE_BYTES", application_cache_bytes,
        "8388608", 0, 4294967296LL),
    INT("subject_cache_bytes", "PORTCULLIS_SUBJECT_CACHE_BYTES", subject_cache_bytes, "4194304", 0,
        4294967296LL),
    INT("tenant_cache_bytes", "PORTCULLIS_TENANT_CACHE_BYTES", tenant_cache_bytes, "33554432",
        1048576, 4294967296LL),
    /* ---- end of cache budgets ---- */
    INT("max_connections_per_ip", "PORTCULLIS_MAX_CONNECTIONS_PER_IP", max_connections_per_ip, "64",
        1, 4096),
    /* ---- authorization (API.md §15) ---- */
    INT("authzen_max_batch", "PORTCULLIS_AUTHZEN_MAX_BATCH", authzen_max_batch, "1000", 1, 100000),
    /* ---- end of authorization ---- */
    INT("request_read_timeout", "PORTCULLIS_REQUEST_READ_TIMEOUT", request_read_timeout, "10", 1,
        3600),
    /* ---- operations (logs, proxies, metrics) ---- */
    STR("log_format", "PORTCULLIS_LOG_FORMAT", log_format, "text"),
    STR("trusted_proxies", "PORTCULLIS_TRUSTED_PROXIES", trusted_proxies, NULL),
    STR("metrics_listen", "PORTCULLIS_METRICS_LISTEN", metrics_listen, NULL),
    STR("tls_cert_file", "PORTCULLIS_TLS_CERT_FILE", tls_cert_file, NULL),
    STR("tls_key_file", "PORTCULLIS_TLS_KEY_FILE", tls_key_file, NULL),
    /* ---- end of operations ---- */
    /* ---- webhooks ---- */
    INT("webhook_workers", "PORTCULLIS_WEBHOOK_WORKERS", webhook_workers, "2", 0, 64),
    BOOL("webhook_allow_private", "PORTCULLIS_WEBHOOK_ALLOW_PRIVATE", webhook_allow_private,
         "false"),
    INT("webhook_retry_divisor", "PORTCULLIS_WEBHOOK_RETRY_DIVISOR", webhook_retry_divisor, "1", 1,
        100000),
    /* ---- end of webhooks ---- */
    /* ---- sender-constrained tokens (issue #18) ---- */
    BOOL("dpop_nonce", "PORTCULLIS_DPOP_NONCE", dpop_nonce, "false"),
    /* ---- end of sender-constrained tokens ---- */
};

#define NOPTIONS (sizeof options / sizeof *options)

static int set_bool(pc_config *cfg, const option *o, const char *value, const char *origin,
                    char *err, size_t errlen)
{
    if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
        snprintf(err, errlen, "%s: setting \"%s\" must be true or false, not \"%s\"", origin,
                 o->key, value);
        return -1;
    }
    *(int *)((char *)cfg + o->offset) = strcmp(value, "true") == 0;
    return 0;
}

static int set_value(pc_config *cfg, const option *o, const char *value, const char *origin,
                     char *err, size_t errlen)
{
    char *end;
    long long v;

    if (o->type == OPT_BOOL)
        return set_bool(cfg, o, value, origin, err, errlen);
    if (o->type == OPT_STR) {
        char **slot = (char **)((char *)cfg + o->offset);
        free(*slot);
        *slot = pc_strdup(value);
        return 0;
    }
    errno = 0;
    v = strtoll(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < o->min || v > o->max) {
        snprintf(err, errlen, "%s: setting \"%s\" must be an integer in %lld..%lld, not \"%s\"",
                 origin, o->key, (long long)o->min, (long long)o->max, value);
        return -1;
    }
    *(int64_t *)((char *)cfg + o->offset) = v;
    return 0;
}

static int known_key(const char *name)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strcmp(options[i].key, name) == 0)
            return 1;
    return 0;
}

static int read_setting(pc_config *cfg, const option *o, config_t *file, const char *path,
                        char *err, size_t errlen)
{
    config_setting_t *s = config_lookup(file, o->key);
    char buf[32];

    if (s == NULL)
        return 0;
    if (config_setting_type(s) == CONFIG_TYPE_STRING)
        return set_value(cfg, o, config_setting_get_string(s), path, err, errlen);
    if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64) {
        snprintf(buf, sizeof buf, "%lld", config_setting_get_int64(s));
        return set_value(cfg, o, buf, path, err, errlen);
    }
    if (config_setting_type(s) == CONFIG_TYPE_BOOL)
        return set_value(cfg, o, config_setting_get_bool(s) ? "true" : "false", path, err, errlen);
    snprintf(err, errlen, "%s: setting \"%s\" has the wrong type", path, o->key);
    return -1;
}

static int load_file(pc_config *cfg, const char *path, char *err, size_t errlen)
{
    config_t file;
    config_setting_t *root;
    int rc = 0;

    config_init(&file);
    if (config_read_file(&file, path) != CONFIG_TRUE) {
        snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&file),
                 config_error_text(&file));
        config_destroy(&file);
        return -1;
    }
    root = config_root_setting(&file);
    for (int i = 0; rc == 0 && i < config_setting_length(root); i++) {
        const char *name = config_setting_name(config_setting_get_elem(root, (unsigned)i));
        if (!known_key(name)) {
            snprintf(err, errlen, "%s: unknown setting \"%s\"", path, name);
            rc = -1;
        }
    }
    for (size_t i = 0; rc == 0 && i < NOPTIONS; i++)
        rc = read_setting(cfg, &options[i], &file, path, err, errlen);
    config_destroy(&file);
    return rc;
}

static int parse_listen(pc_config *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage addr;
    char host[64];

    if (!pc_netaddr_parse_hostport(cfg->listen, &addr)) {
        snprintf(err, errlen,
                 "PORTCULLIS_LISTEN must be IPV4:PORT or [IPV6]:PORT (an address, not a name), "
                 "not \"%s\"",
                 cfg->listen);
        return -1;
    }
    pc_netaddr_str((const struct sockaddr *)&addr, host, sizeof host);
    cfg->listen_host = pc_strdup(host);
    cfg->listen_port = (unsigned)strtol(strrchr(cfg->listen, ':') + 1, NULL, 10);
    return 0;
}

/* Native TLS needs both files; one without the other is a mistake, not plain HTTP. */
static int check_tls(const pc_config *cfg, char *err, size_t errlen)
{
    if ((cfg->tls_cert_file == NULL) == (cfg->tls_key_file == NULL))
        return 0;
    snprintf(err, errlen,
             "PORTCULLIS_TLS_CERT_FILE and PORTCULLIS_TLS_KEY_FILE go together: "
             "set both for HTTPS, or neither");
    return -1;
}

static void derive_defaults(pc_config *cfg)
{
    size_t n;

    if (cfg->public_url == NULL)
        cfg->public_url =
            pc_asprintf("%s://%s", cfg->tls_cert_file != NULL ? "https" : "http", cfg->listen);
    n = strlen(cfg->public_url);
    while (n > 0 && cfg->public_url[n - 1] == '/')
        cfg->public_url[--n] = '\0';
}

/* Issuers are <public_url>/t/<slug>: an absolute http(s) URL without query or fragment. */
static int check_public_url(const pc_config *cfg, char *err, size_t errlen)
{
    const char *u = cfg->public_url, *host;

    host = strncmp(u, "https://", 8) == 0 ? u + 8 : strncmp(u, "http://", 7) == 0 ? u + 7 : NULL;
    if (host != NULL && *host != '\0' && *host != '/' && *host != ':' &&
        strpbrk(u, " \t\r\n?#\\\"<>") == NULL)
        return 0;
    snprintf(err, errlen,
             "PORTCULLIS_PUBLIC_URL must be an absolute http:// or https:// URL with a host and "
             "no query or fragment, not \"%s\"",
             u);
    return -1;
}

static int load_all(pc_config *cfg, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].def != NULL &&
            set_value(cfg, &options[i], options[i].def, "default", err, errlen))
            return -1;
    if (path == NULL)
        path = getenv("PORTCULLIS_CONFIG");
    if (path != NULL && *path != '\0' && load_file(cfg, path, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < NOPTIONS; i++) {
        const char *v = getenv(options[i].env);
        if (v != NULL && *v != '\0' && set_value(cfg, &options[i], v, options[i].env, err, errlen))
            return -1;
    }
    if (parse_listen(cfg, err, errlen) != 0 || check_tls(cfg, err, errlen) != 0)
        return -1;
    derive_defaults(cfg);
    return check_public_url(cfg, err, errlen);
}

int pc_config_load(pc_config *cfg, const char *path, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    if (load_all(cfg, path, err, errlen) == 0)
        return 0;
    pc_config_free(cfg);
    return -1;
}

void pc_config_free(pc_config *cfg)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].type == OPT_STR) {
            char **slot = (char **)((char *)cfg + options[i].offset);
            if (*slot == cfg->admin_password || *slot == cfg->admin_client_secret)
                pc_free_secret(*slot);
            else
                free(*slot);
            *slot = NULL;
        }
    free(cfg->listen_host);
    cfg->listen_host = NULL;
}
