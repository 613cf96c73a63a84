/* SPDX-License-Identifier: Apache-2.0 */
/* Server settings: defaults, then an optional libconfig file, then the environment (which wins). */
#ifndef PC_SERVER_CONFIG_H
#define PC_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct pc_config {
    char *listen;      /**< "127.0.0.1:8080" */
    char *listen_host; /**< parsed from listen: the address, IPv6 without brackets */
    unsigned listen_port;
    char *public_url; /**< no trailing slash */
    char *store;      /**< sqlite://PATH or postgresql://... */
    char *master_key_file;
    char *admin_password; /**< bootstrap only; NULL: random */
    char *admin_client_secret;
    char *plugin_dir;
    char *log_level;
    char *webapp_dir;
    int64_t threads;  /**< HTTP worker threads; 0: one per core */
    int64_t max_body; /**< bytes */
    int64_t argon2_t_cost;
    int64_t argon2_m_cost; /**< KiB */
    int64_t argon2_parallelism;
    int64_t limit_account;        /**< failures per account at one client address per window */
    int64_t limit_address;        /**< failures per client address per window */
    int64_t limit_account_global; /**< failures per account from anywhere before it is slowed */
    int64_t limit_window;         /**< seconds */
    int64_t access_ttl;           /**< default for new tenants, seconds */
    int64_t refresh_ttl;
    int64_t session_ttl;
    int64_t key_publish_delay;    /**< seconds a rotated-in key is published before it signs */
    int64_t change_poll_ms;       /**< how often the change feed is read */
    int64_t code_ttl;             /**< lifetime of an authorization code, seconds */
    int64_t audit_retention_days; /**< audit events older than this are purged */
    /** Outbound calls for tenants may reach private, loopback and link-local addresses. */
    int outbound_allow_private;
    int64_t refresh_grace; /**< seconds the just-replaced refresh token may be retried; 0: never */
    int64_t session_idle_ttl;  /**< seconds a session may go unused; 0: no idle timeout */
    int64_t token_cache_bytes; /**< memory bound of the verified-token cache */
    /* ---- cache budgets (issue 20) ---- */
    int64_t permission_cache_bytes;  /**< memory bound of the permission-set cache */
    int64_t application_cache_bytes; /**< memory bound of the application cache */
    int64_t subject_cache_bytes;     /**< memory bound of the authorization subject-facts cache */
    int64_t tenant_cache_bytes;      /**< memory bound of the tenants loaded (keys, settings) */
    /* ---- end of cache budgets ---- */
    int64_t max_connections_per_ip; /**< connections one client address may hold */
    int64_t request_read_timeout;   /**< seconds to send a whole request */
    /* ---- operations (logs, proxies, metrics) ---- */
    char *log_format;      /**< "text" or "json" */
    char *trusted_proxies; /**< CIDR list whose X-Forwarded-For / Forwarded are believed */
    char *metrics_listen;  /**< HOST:PORT serving only /metrics; NULL: on the main listener */
    char *tls_cert_file;   /**< PEM certificate chain for native HTTPS; NULL: plain HTTP */
    char *tls_key_file;    /**< PEM private key of that certificate; reloaded on SIGHUP */
    /* ---- end of operations ---- */
    int64_t authzen_max_batch; /**< most evaluations in one AuthZEN evaluations request */
    /* ---- webhooks ---- */
    int64_t webhook_workers;   /**< delivery threads per node */
    int webhook_allow_private; /**< webhooks may reach private, loopback, link-local addresses */
    int64_t
        webhook_retry_divisor; /**< for testing only: the retry schedule runs this much faster */
    /* ---- end of webhooks ---- */
    /* ---- sender-constrained tokens (issue #18) ---- */
    int dpop_nonce; /**< DPoP proofs must carry a nonce the server issued (RFC 9449 §8) */
    /* ---- end of sender-constrained tokens ---- */
} pc_config;

/**
 * Fill `cfg` from defaults, the file `path` (NULL: $PORTCULLIS_CONFIG if set)
 * and the environment. On error returns -1 with a message in err.
 */
int pc_config_load(pc_config *cfg, const char *path, char *err, size_t errlen);
void pc_config_free(pc_config *cfg);

#endif
