/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: the services the host lends to every plugin. */
#ifndef PORTCULLIS_HOST_H
#define PORTCULLIS_HOST_H

#include <stdarg.h>
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pc_log_level {
    PC_LOG_ERROR = 0,
    PC_LOG_WARNING,
    PC_LOG_INFO,
    PC_LOG_DEBUG
} pc_log_level;

struct sockaddr;

/** An outbound HTTP request made by a provider plugin (libcurl underneath). */
typedef struct pc_http_request {
    const char *method; /**< "POST", "GET" */
    const char *url;
    const char *const *headers; /**< NULL-terminated "Name: value" lines, or NULL */
    const char *body;           /**< may be NULL */
    size_t body_len;
    const char *basic_user; /**< HTTP basic authentication, or NULL */
    const char *basic_password;
    long timeout_ms; /**< 0: the host default (10 s); never more than 10 s, connecting 5 s */
} pc_http_request;

/** The answer: body is new, freed by the plugin with host->free(). */
typedef struct pc_http_response {
    long status;
    char *body;
    size_t body_len;
} pc_http_response;

/**
 * Flags of host->outbound_url_problem(): where plain http:// is acceptable.
 * Appeared in ABI 1.0 (outbound release).
 */
#define PC_OUTBOUND_HTTP_LOOPBACK \
    0x1u                          /**< http:// to a numeric loopback address (127.0.0.1, [::1]) */
#define PC_OUTBOUND_HTTP_ANY 0x2u /**< http:// to any host, only while private calls are allowed */

/**
 * Host services. The table is static and valid from init() to fini(); every
 * function is thread-safe. Strings returned as `char *` are new and freed
 * with free(). Appeared in ABI 1.0.
 */
typedef struct pc_host {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;

    /** Log a line; secrets, codes and tokens must never be passed here. */
    void (*log)(pc_log_level level, const char *plugin, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    /** Wall clock, Unix seconds (overridable in tests). */
    int64_t (*now)(void);
    /** Cryptographically secure random bytes. */
    pc_status (*random)(void *buf, size_t len);
    /** Record an audit event; details borrowed. */
    void (*audit)(const char *tenant_id, const char *type, const char *actor, const char *subject,
                  const json_t *details);
    /** Count a metric sample (counter name, label value). */
    void (*metric_inc)(const char *name, const char *label);
    /** Make an outbound HTTP request (for providers). */
    pc_status (*http)(const pc_http_request *rq, pc_http_response *out);
    /** Hash a secret with the server's argon2id settings; *encoded is new. */
    pc_status (*password_hash)(const char *secret, char **encoded);
    /** Check a secret against an encoded argon2id hash, in constant time. */
    pc_status (*password_verify)(const char *encoded, const char *secret);
    /** Seal / open a small secret with the master key (AES-256-GCM, base64 text). */
    pc_status (*seal)(const char *plain, char **sealed);
    pc_status (*unseal)(const char *sealed, char **plain);
    /** Release memory the host handed out. */
    void (*free)(void *ptr);

    /*
     * Appended in ABI 1.0 (outbound release): check struct_size before use.
     * Every call a plugin makes on a tenant's behalf goes only to public
     * addresses unless the server setting outbound_allow_private is on
     * (docs/configuration.md). host->http() enforces it itself; a plugin that
     * opens its own connections calls outbound_check() on each resolved
     * address right where it connects (libcurl: CURLOPT_OPENSOCKETFUNCTION),
     * so that no later DNS answer can slip past the check.
     */
    /** Is the server setting outbound_allow_private on? */
    int (*outbound_allow_private)(void);
    /**
     * May a connection go to this resolved address? PC_OK, or PC_ERR_DENIED
     * (logged with the address). `addr` borrowed.
     */
    pc_status (*outbound_check)(const struct sockaddr *addr, size_t addrlen);
    /**
     * The save-time rule for a URL the plugin will call: https://, or http://
     * where `flags` (PC_OUTBOUND_HTTP_*) allow it. NULL when acceptable, else
     * a static sentence naming the problem ("url must be ...").
     */
    const char *(*outbound_url_problem)(const char *url, unsigned flags);

    /*
     * Appended for operations metrics: check struct_size before use.
     * Names are bare ("store_pool_in_use"); the host adds the portcullis_ prefix.
     */
    /** Set gauge portcullis_<name>{<key>="<label>"}; key NULL for none. */
    void (*metric_gauge)(const char *name, const char *key, const char *label, double value);
    /** Observe a duration into histogram portcullis_<name>_seconds{<key>="<label>"}. */
    void (*metric_observe)(const char *name, const char *key, const char *label, double seconds);
} pc_host;

#ifdef __cplusplus
}
#endif
#endif
