/* SPDX-License-Identifier: Apache-2.0 */
/* The host-services table handed to every plugin. */
#include "server/host.h"
#include "server/outbound.h"
#include "server/server.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/password.h"
#include "iam/audit.h"
#include "server/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void host_log(pc_log_level level, const char *plugin, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pc_log(level, "plugin=%s %s", plugin ? plugin : "?", line);
}

static int64_t host_now(void)
{
    return pc_now();
}

static void host_audit(const char *tenant_id, const char *type, const char *actor,
                       const char *subject, const json_t *details)
{
    pc_audit_record(NULL, tenant_id, type, actor, subject, NULL, details);
}

static void host_metric_inc(const char *name, const char *label)
{
    pc_metrics_count(name, "label", label);
}

static pc_status host_password_hash(const char *secret, char **encoded)
{
    return pc_password_hash(secret, encoded);
}

static pc_status host_password_verify(const char *encoded, const char *secret)
{
    return pc_password_verify(encoded, secret);
}

static pc_status host_seal(const char *plain, char **sealed)
{
    return pc_seal(pc_srv->master_key, "plugin", plain, strlen(plain), sealed);
}

static pc_status host_unseal(const char *sealed, char **plain)
{
    size_t n;

    return pc_unseal(pc_srv->master_key, "plugin", sealed, (uint8_t **)plain, &n);
}

static void host_free(void *p)
{
    free(p);
}

static pc_status host_http(const pc_http_request *rq, pc_http_response *out)
{
    return pc_http_client_send(rq, out);
}

static pc_status host_outbound_check(const struct sockaddr *addr, size_t addrlen)
{
    return pc_outbound_addr_check(addr, addrlen);
}

static const char *host_outbound_url_problem(const char *url, unsigned flags)
{
    return pc_outbound_url_problem(url, flags, pc_outbound_allow_private());
}

static const pc_host host_table = {
    .abi_major = PC_ABI_MAJOR,
    .abi_minor = PC_ABI_MINOR,
    .struct_size = sizeof(pc_host),
    .log = host_log,
    .now = host_now,
    .random = pc_random,
    .audit = host_audit,
    .metric_inc = host_metric_inc,
    .http = host_http,
    .password_hash = host_password_hash,
    .password_verify = host_password_verify,
    .seal = host_seal,
    .unseal = host_unseal,
    .free = host_free,
    .outbound_allow_private = pc_outbound_allow_private,
    .outbound_check = host_outbound_check,
    .outbound_url_problem = host_outbound_url_problem,
    .metric_gauge = pc_metrics_gauge,
    .metric_observe = pc_metrics_observe,
};

const pc_host *pc_host_table(void)
{
    return &host_table;
}
