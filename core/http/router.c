/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP server: route table, dispatch, body limit, tenant resolution, metrics, drain. */
#include "http/router.h"
#include "http/cors.h"
#include "http/endpoints.h"
#include "http/pages.h"
#include "api/api.h"
#include "server/metrics.h"
#include "server/server.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ulfius.h>

#define T "/t/:tenant"
#define API T "/api/v1"
#define TR PC_ROUTE_TENANT
#define AR (PC_ROUTE_TENANT | PC_ROUTE_API)
#define PUB (PC_ROUTE_TENANT | PC_ROUTE_CORS)
#define PAGE (PC_ROUTE_TENANT | PC_ROUTE_PAGE)

static pc_route routes[] = {
    {"GET", "/healthz", "healthz", pc_http_healthz, 0, 0},
    {"GET", "/readyz", "readyz", pc_http_readyz, 0, 0},
    {"GET", "/metrics", "metrics", pc_http_metrics, 0, 0},
    {"GET", T "/.well-known/openid-configuration", "discovery", pc_http_discovery, PUB, 0},
    {"GET", T "/.well-known/oauth-authorization-server", "discovery", pc_http_discovery, PUB, 0},
    {"GET", "/.well-known/oauth-authorization-server" T, "discovery", pc_http_discovery, PUB, 0},
    {"GET", "/.well-known/openid-configuration" T, "discovery", pc_http_discovery, PUB, 0},
    {"GET", T "/oauth2/jwks", "jwks", pc_http_jwks, PUB, 0},
    {"POST", T "/oauth2/token", "token", pc_http_token, PUB, 0},
    {"GET", T "/oauth2/userinfo", "userinfo", pc_http_userinfo, PUB, 0},
    {"POST", T "/oauth2/userinfo", "userinfo", pc_http_userinfo, PUB, 0},
    {"OPTIONS", T "/.well-known/openid-configuration", "preflight", pc_http_preflight, PUB, 0},
    {"OPTIONS", T "/.well-known/oauth-authorization-server", "preflight", pc_http_preflight, PUB,
     0},
    {"OPTIONS", T "/oauth2/jwks", "preflight", pc_http_preflight, PUB, 0},
    {"OPTIONS", T "/oauth2/token", "preflight", pc_http_preflight, PUB, 0},
    {"OPTIONS", T "/oauth2/userinfo", "preflight", pc_http_preflight, PUB, 0},
    {"GET", T "/oauth2/authorize", "authorize", pc_http_authorize, PAGE, 0},
    {"POST", T "/oauth2/authorize", "authorize", pc_http_authorize, PAGE, 0},
    {"POST", T "/oauth2/authorize/login", "authorize", pc_http_authorize_login, PAGE, 0},
    {"POST", T "/oauth2/authorize/consent", "authorize", pc_http_authorize_consent, PAGE, 0},
    {"POST", T "/oauth2/authorize/mfa", "authorize", pc_http_authorize_mfa, PAGE, 0},
    {"GET", T "/oauth2/end_session", "end_session", pc_http_end_session, PAGE, 0},
    {"POST", T "/oauth2/end_session", "end_session", pc_http_end_session, PAGE, 0},
    {"GET", "/ui/assets/:file", "static", pc_http_static, 0, 0},
    {"POST", T "/oauth2/introspect", "introspect", pc_http_introspect, TR, 0},
    {"POST", T "/oauth2/revoke", "revoke", pc_http_revoke, TR, 0},
    {"GET", API "/me", "api_me", pc_api_me_get, AR, 0},
    {"GET", API "/me/permissions", "api_me", pc_api_me_permissions, AR, 0},
    {"PUT", API "/me/password", "api_me", pc_api_me_password, AR, 0},
    {"POST", API "/authorize", "api_authorize", pc_api_authorize, AR, 0},
    {"GET", API "/users", "api_users", pc_api_users_list, AR, 0},
    {"POST", API "/users", "api_users", pc_api_users_create, AR, 0},
    {"GET", API "/users/:id", "api_users", pc_api_users_get, AR, 0},
    {"PATCH", API "/users/:id", "api_users", pc_api_users_patch, AR, 0},
    {"DELETE", API "/users/:id", "api_users", pc_api_users_delete, AR, 0},
    {"POST", API "/users/:id/restore", "api_users", pc_api_users_restore, AR, 0},
    {"POST", API "/users/:id/password", "api_users", pc_api_users_password, AR, 0},
    {"GET", API "/users/:id/permissions", "api_users", pc_api_users_permissions, AR, 0},
    {"GET", API "/users/:id/sessions", "api_sessions", pc_api_users_sessions_list, AR, 0},
    {"DELETE", API "/users/:id/sessions", "api_sessions", pc_api_users_sessions_end, AR, 0},
    {"GET", API "/applications", "api_applications", pc_api_apps_list, AR, 0},
    {"POST", API "/applications", "api_applications", pc_api_apps_create, AR, 0},
    {"GET", API "/applications/:id", "api_applications", pc_api_apps_get, AR, 0},
    {"PATCH", API "/applications/:id", "api_applications", pc_api_apps_patch, AR, 0},
    {"DELETE", API "/applications/:id", "api_applications", pc_api_apps_delete, AR, 0},
    {"POST", API "/applications/:id/secret", "api_applications", pc_api_apps_secret, AR, 0},
    {"GET", API "/roles", "api_roles", pc_api_roles_list, AR, 0},
    {"POST", API "/roles", "api_roles", pc_api_roles_create, AR, 0},
    {"GET", API "/roles/:id", "api_roles", pc_api_roles_get, AR, 0},
    {"PATCH", API "/roles/:id", "api_roles", pc_api_roles_patch, AR, 0},
    {"DELETE", API "/roles/:id", "api_roles", pc_api_roles_delete, AR, 0},
    {"GET", API "/groups", "api_groups", pc_api_groups_list, AR, 0},
    {"POST", API "/groups", "api_groups", pc_api_groups_create, AR, 0},
    {"GET", API "/groups/:id", "api_groups", pc_api_groups_get, AR, 0},
    {"PATCH", API "/groups/:id", "api_groups", pc_api_groups_patch, AR, 0},
    {"DELETE", API "/groups/:id", "api_groups", pc_api_groups_delete, AR, 0},
    {"GET", API "/tenants", "api_tenants", pc_api_tenants_list, AR, 0},
    {"POST", API "/tenants", "api_tenants", pc_api_tenants_create, AR, 0},
    {"DELETE", API "/tenants/:slug", "api_tenants", pc_api_tenants_delete, AR, 0},
    {"GET", API "/audit", "api_audit", pc_api_audit_list, AR, 0},
    /* Multi-factor: enrolment, administration, providers, and the challenge of a pending sign-in. */
    {"GET", API "/me/mfa", "api_mfa", pc_api_me_mfa_get, AR, 0},
    {"PUT", API "/me/mfa/preferred", "api_mfa", pc_api_me_mfa_preferred, AR, 0},
    {"POST", API "/me/mfa/:method", "api_mfa", pc_api_me_mfa_enrol, AR, 0},
    {"POST", API "/me/mfa/:method/verify", "api_mfa", pc_api_me_mfa_verify, AR, 0},
    {"DELETE", API "/me/mfa/:method", "api_mfa", pc_api_me_mfa_disable, AR, 0},
    {"GET", API "/users/:id/mfa", "api_mfa", pc_api_users_mfa_get, AR, 0},
    {"DELETE", API "/users/:id/mfa", "api_mfa", pc_api_users_mfa_reset, AR, 0},
    {"POST", API "/mfa/challenge", "mfa_challenge", pc_http_mfa_challenge, TR, 0},
    {"GET", API "/providers", "api_providers", pc_api_providers_list, AR, 0},
    {"POST", API "/providers", "api_providers", pc_api_providers_create, AR, 0},
    {"GET", API "/providers/:id", "api_providers", pc_api_providers_get, AR, 0},
    {"PATCH", API "/providers/:id", "api_providers", pc_api_providers_patch, AR, 0},
    {"DELETE", API "/providers/:id", "api_providers", pc_api_providers_delete, AR, 0},
    {"PUT", API "/applications/:id/providers/:provider_id", "api_applications",
     pc_api_apps_provider_link, AR, 0},
    {"DELETE", API "/applications/:id/providers/:provider_id", "api_applications",
     pc_api_apps_provider_unlink, AR, 0},
    {"PUT", API "/applications/:id/default-providers", "api_applications",
     pc_api_apps_default_providers, AR, 0},
};

static pc_route not_found_route = {"*", "*", "not_found", pc_http_not_found, 0, 0};

static struct _u_instance instance;
static struct sockaddr_in bind_addr;
static long in_flight;

static double elapsed(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void client_ip(pc_req *rq)
{
    const struct sockaddr *sa = rq->u->client_address;

    rq->ip[0] = '\0';
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, rq->ip, sizeof rq->ip);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, rq->ip, sizeof rq->ip);
}

/* The body limit: ulfius keeps at most limit + 1 bytes, so more means too large. */
static int body_too_large(const pc_req *rq)
{
    const char *cl = pc_req_header(rq, "Content-Length");
    size_t limit = (size_t)pc_srv->cfg.max_body;

    if (cl != NULL && strtoull(cl, NULL, 10) > limit)
        return 1;
    return rq->u->binary_body_length > limit;
}

static int resolve_tenant(pc_req *rq)
{
    if (pc_tenant_acquire(pc_req_param(rq, "tenant"), &rq->tenant) == PC_OK)
        return 1;
    if (rq->route->flags & PC_ROUTE_API)
        pc_api_error(rq, PC_API_NOT_FOUND, "No such tenant", NULL);
    else if (rq->route->flags & PC_ROUTE_PAGE)
        pc_page_error(rq, 404, "not_found", "There is no such organisation on this server.");
    else
        pc_reply_json(
            rq, 404,
            json_pack("{s:s,s:s}", "error", "not_found", "error_description", "no such tenant"));
    return 0;
}

static int dispatch(const struct _u_request *u, struct _u_response *resp, void *data)
{
    pc_req rq = {.u = u, .resp = resp, .route = data, .tenant = NULL, .status = 0};
    struct timespec t0;

    __atomic_add_fetch(&in_flight, 1, __ATOMIC_ACQ_REL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    client_ip(&rq);
    if (body_too_large(&rq))
        pc_reply_json(&rq, 413,
                      json_pack("{s:s,s:s}", "error", "invalid_request", "error_description",
                                "request body too large"));
    else if (!(rq.route->flags & PC_ROUTE_TENANT) || resolve_tenant(&rq))
        rq.route->handler(&rq);
    if (rq.route->flags & PC_ROUTE_CORS)
        pc_http_cors(&rq);
    pc_tenant_release(rq.tenant);
    pc_metrics_request(rq.route->metric, rq.status ? rq.status : resp->status, elapsed(&t0));
    __atomic_sub_fetch(&in_flight, 1, __ATOMIC_ACQ_REL);
    return U_CALLBACK_COMPLETE;
}

static int add_routes(void)
{
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        routes[i].metric = pc_metrics_route(routes[i].name);
        if (ulfius_add_endpoint_by_val(&instance, routes[i].method, NULL, routes[i].path, 0,
                                       dispatch, &routes[i]) != U_OK)
            return -1;
    }
    not_found_route.metric = pc_metrics_route(not_found_route.name);
    return ulfius_set_default_endpoint(&instance, dispatch, &not_found_route) == U_OK ? 0 : -1;
}

static long worker_threads(void)
{
    long n = pc_srv->cfg.threads > 0 ? (long)pc_srv->cfg.threads : sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? n : 2;
}

int pc_http_start(void)
{
    const pc_config *cfg = &pc_srv->cfg;
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_THREAD_POOL_SIZE, worker_threads(), NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &bind_addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, 4096, NULL},
        {MHD_OPTION_END, 0, NULL},
    };

    memset(&bind_addr, 0, sizeof bind_addr);
    bind_addr.sin_family = AF_INET;
    bind_addr.sin_port = htons((uint16_t)cfg->listen_port);
    if (inet_pton(AF_INET, cfg->listen_host, &bind_addr.sin_addr) != 1) {
        pc_error("listen address %s is not an IPv4 address", cfg->listen_host);
        return -1;
    }
    if (ulfius_init_instance(&instance, cfg->listen_port, &bind_addr, NULL) != U_OK)
        return -1;
    instance.max_post_body_size = (size_t)cfg->max_body + 1;
    instance.check_utf8 = 1;
    if (add_routes() != 0 ||
        ulfius_start_framework_with_mhd_options(
            &instance, MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC, ops) != U_OK) {
        pc_error("cannot listen on %s", cfg->listen);
        ulfius_clean_instance(&instance);
        return -1;
    }
    pc_info("listening on %s with %ld worker threads; issuer base %s", cfg->listen,
            worker_threads(), cfg->public_url);
    return 0;
}

void pc_http_stop(long grace_ms)
{
    /* Stop accepting first, then let what is running finish. */
    if (instance.mhd_daemon != NULL)
        MHD_quiesce_daemon(instance.mhd_daemon);
    while (grace_ms > 0 && __atomic_load_n(&in_flight, __ATOMIC_ACQUIRE) > 0) {
        usleep(10000);
        grace_ms -= 10;
    }
    ulfius_stop_framework(&instance);
    ulfius_clean_instance(&instance);
}
