/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP server: route table, dispatch, body limit, tenant resolution, metrics, drain. */
#include "http/router.h"
#include "http/access.h"
#include "http/access_log.h"
#include "http/conn_guard.h"
#include "http/cors.h"
#include "http/endpoints.h"
#include "http/metrics_listener.h"
#include "http/pages.h"
#include "http/proxy.h"
#include "http/tls.h"
#include "api/api.h"
#include "server/metrics.h"
#include "server/server.h"
#include "util/log.h"
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <ulfius.h>

#define PC_HTTP_CONNECTION_MEMORY (128 * 1024)

#define T "/t/:tenant"
#define API T "/api/v1"
#define TR PC_ROUTE_TENANT
#define AR (PC_ROUTE_TENANT | PC_ROUTE_API)
#define PUB (PC_ROUTE_TENANT | PC_ROUTE_CORS)
#define PAGE (PC_ROUTE_TENANT | PC_ROUTE_PAGE)

static struct sockaddr_storage bind_addr; /* from listen, checked when the settings were read */

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
    {"POST", T "/oauth2/authorize/organization", "authorize", pc_http_authorize_organization, PAGE,
     0},
    /* passkeys (issue #19) */
    {"POST", T "/oauth2/authorize/passkey", "authorize", pc_http_authorize_passkey, PAGE, 0},
    /* passkeys: the login page's challenge, fetched when the person asks for a passkey */
    {"POST", T "/oauth2/authorize/passkey/options", "authorize", pc_http_authorize_passkey_options,
     TR, 0},
    {"GET", T "/oauth2/end_session", "end_session", pc_http_end_session, PAGE, 0},
    {"POST", T "/oauth2/end_session", "end_session", pc_http_end_session, PAGE, 0},
    {"GET", "/ui/assets/:file", "static", pc_http_static, 0, 0},
    /* ---- consoles (API.md §13) ---- */
    {"GET", "/ui/assets/console/:file", "static", pc_http_static_console, 0, 0},
    {"GET", T "/ui/account", "console", pc_http_console_account, PAGE, 0},
    {"GET", T "/ui/admin", "console", pc_http_console_admin, PAGE, 0},
    {"PATCH", API "/me", "api_me", pc_api_me_patch, AR, 0},
    {"GET", API "/me/sessions", "api_me", pc_api_me_sessions_list, AR, 0},
    {"DELETE", API "/me/sessions", "api_me", pc_api_me_sessions_end_others, AR, 0},
    {"DELETE", API "/me/sessions/:id", "api_me", pc_api_me_sessions_end_one, AR, 0},
    /* ---- end of consoles ---- */
    /* ---- device authorization (RFC 8628, API.md §19) ---- */
    {"POST", T "/oauth2/device_authorization", "device", pc_http_device_authorization, PUB, 0},
    {"OPTIONS", T "/oauth2/device_authorization", "preflight", pc_http_preflight, PUB, 0},
    {"GET", T "/ui/device", "device", pc_http_device_page, PAGE, 0},
    {"POST", T "/ui/device", "device", pc_http_device_page, PAGE, 0},
    /* ---- end of device authorization ---- */
    /* ---- dynamic client registration (RFC 7591/7592, API.md §19) ---- */
    {"POST", T "/oauth2/register", "register", pc_api_dcr_register, PUB, 0},
    {"GET", T "/oauth2/register/:client_id", "register", pc_api_dcr_read, PUB, 0},
    {"PUT", T "/oauth2/register/:client_id", "register", pc_api_dcr_update, PUB, 0},
    {"DELETE", T "/oauth2/register/:client_id", "register", pc_api_dcr_delete, PUB, 0},
    /* ---- end of dynamic client registration ---- */
    /* ---- consents (API.md §19) ---- */
    {"GET", API "/me/consents", "api_me", pc_api_me_consents_list, AR, 0},
    {"GET", API "/me/consents/:client_id", "api_me", pc_api_me_consents_get, AR, 0},
    {"DELETE", API "/me/consents/:client_id", "api_me", pc_api_me_consents_delete, AR, 0},
    /* ---- end of consents ---- */
    {"POST", T "/oauth2/introspect", "introspect", pc_http_introspect, TR, 0},
    {"POST", T "/oauth2/revoke", "revoke", pc_http_revoke, TR, 0},
    /* issue #18: pushed authorization requests */
    {"POST", T "/oauth2/par", "par", pc_http_par, TR, 0},
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
    {"GET", API "/openapi.json", "api_openapi", pc_api_openapi, AR, 0},
    /* ---- webhooks ---- */
    {"GET", API "/webhooks", "api_webhooks", pc_api_webhooks_list, AR, 0},
    {"POST", API "/webhooks", "api_webhooks", pc_api_webhooks_create, AR, 0},
    {"GET", API "/webhooks/:id", "api_webhooks", pc_api_webhooks_get, AR, 0},
    {"PATCH", API "/webhooks/:id", "api_webhooks", pc_api_webhooks_patch, AR, 0},
    {"DELETE", API "/webhooks/:id", "api_webhooks", pc_api_webhooks_delete, AR, 0},
    {"POST", API "/webhooks/:id/secret", "api_webhooks", pc_api_webhooks_secret, AR, 0},
    {"GET", API "/webhooks/:id/deliveries", "api_webhooks", pc_api_webhooks_deliveries, AR, 0},
    {"POST", API "/webhooks/:id/test", "api_webhooks", pc_api_webhooks_test, AR, 0},
    /* ---- end of webhooks ---- */
    /* Multi-factor: enrolment, administration, providers, and the challenge of a pending sign-in. */
    {"GET", API "/me/mfa", "api_mfa", pc_api_me_mfa_get, AR, 0},
    {"PUT", API "/me/mfa/preferred", "api_mfa", pc_api_me_mfa_preferred, AR, 0},
    {"POST", API "/me/mfa/:method", "api_mfa", pc_api_me_mfa_enrol, AR, 0},
    {"POST", API "/me/mfa/:method/verify", "api_mfa", pc_api_me_mfa_verify, AR, 0},
    {"DELETE", API "/me/mfa/:method", "api_mfa", pc_api_me_mfa_disable, AR, 0},
    /* passkeys (issue #19) */
    {"GET", API "/me/mfa/webauthn/credentials", "api_mfa", pc_api_me_passkeys_list, AR, 0},
    {"PATCH", API "/me/mfa/webauthn/credentials/:credential_id", "api_mfa",
     pc_api_me_passkey_rename, AR, 0},
    {"DELETE", API "/me/mfa/webauthn/credentials/:credential_id", "api_mfa",
     pc_api_me_passkey_delete, AR, 0},
    /* passkeys: step-up with a passkey (a proof for the Portcullis-Step-Up header) */
    {"POST", API "/me/step-up/webauthn", "api_mfa", pc_api_me_step_up_webauthn, AR, 0},
    {"POST", API "/me/step-up/webauthn/verify", "api_mfa", pc_api_me_step_up_webauthn_verify, AR,
     0},
    {"GET", API "/users/:id/mfa", "api_mfa", pc_api_users_mfa_get, AR, 0},
    {"DELETE", API "/users/:id/mfa", "api_mfa", pc_api_users_mfa_reset, AR, 0},
    /* ---- people (API.md §11–§13) ---- */
    {"GET", T "/ui/reset", "people_pages", pc_http_people_page, PAGE, 0},
    {"GET", T "/ui/verify", "people_pages", pc_http_people_page, PAGE, 0},
    {"GET", T "/ui/invite", "people_pages", pc_http_people_page, PAGE, 0},
    {"GET", T "/ui/register", "people_pages", pc_http_people_page, PAGE, 0},
    {"POST", API "/users/:id/roles", "api_users", pc_api_users_role_add, AR, 0},
    {"DELETE", API "/users/:id/roles/:name", "api_users", pc_api_users_role_remove, AR, 0},
    {"PUT", API "/groups/:id/members/:user_id", "api_groups", pc_api_groups_member_put, AR, 0},
    {"DELETE", API "/groups/:id/members/:user_id", "api_groups", pc_api_groups_member_delete, AR,
     0},
    {"GET", API "/permissions", "api_roles", pc_api_permissions_catalog, AR, 0},
    {"GET", API "/tenant", "api_tenant", pc_api_tenant_get, AR, 0},
    {"PATCH", API "/tenant", "api_tenant", pc_api_tenant_patch, AR, 0},
    {"POST", API "/auth/password-reset", "api_links", pc_api_password_reset_request, AR, 0},
    {"POST", API "/auth/password-reset/confirm", "api_links", pc_api_password_reset_confirm, AR, 0},
    {"POST", API "/me/email/verification", "api_links", pc_api_me_email_verification, AR, 0},
    {"POST", API "/users/:id/email/verification", "api_links", pc_api_users_email_verification, AR,
     0},
    {"POST", API "/auth/email/verify", "api_links", pc_api_email_verify, AR, 0},
    {"GET", API "/invitations", "api_invitations", pc_api_invitations_list, AR, 0},
    {"POST", API "/invitations", "api_invitations", pc_api_invitations_create, AR, 0},
    {"GET", API "/invitations/:id", "api_invitations", pc_api_invitations_get, AR, 0},
    {"DELETE", API "/invitations/:id", "api_invitations", pc_api_invitations_revoke, AR, 0},
    {"POST", API "/auth/invitations/accept", "api_invitations", pc_api_invitations_accept, AR, 0},
    {"POST", API "/auth/register", "api_links", pc_api_register, AR, 0},
    /* ---- end of people ---- */
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
    /* ---- authorization (API.md §15, §16) ---- */
    {"GET", T "/.well-known/authzen-configuration", "authzen", pc_http_authzen_metadata, PUB, 0},
    {"GET", "/.well-known/authzen-configuration" T, "authzen", pc_http_authzen_metadata, PUB, 0},
    {"POST", T "/access/v1/evaluation", "authzen", pc_http_authzen_evaluation, TR, 0},
    {"POST", T "/access/v1/evaluations", "authzen", pc_http_authzen_evaluations, TR, 0},
    {"GET", API "/policies", "api_policies", pc_api_policies_list, AR, 0},
    {"POST", API "/policies", "api_policies", pc_api_policies_create, AR, 0},
    {"GET", API "/policies/:id", "api_policies", pc_api_policies_get, AR, 0},
    {"PATCH", API "/policies/:id", "api_policies", pc_api_policies_patch, AR, 0},
    {"DELETE", API "/policies/:id", "api_policies", pc_api_policies_delete, AR, 0},
    /* ---- end of authorization ---- */
    /* ---- organizations (API.md §18) ---- */
    {"GET", API "/me/organizations", "api_me", pc_api_me_orgs, AR, 0},
    {"GET", API "/organizations", "api_organizations", pc_api_orgs_list, AR, 0},
    {"POST", API "/organizations", "api_organizations", pc_api_orgs_create, AR, 0},
    {"GET", API "/organizations/:id", "api_organizations", pc_api_orgs_get, AR, 0},
    {"PATCH", API "/organizations/:id", "api_organizations", pc_api_orgs_patch, AR, 0},
    {"DELETE", API "/organizations/:id", "api_organizations", pc_api_orgs_delete, AR, 0},
    {"GET", API "/organizations/:id/members", "api_organizations", pc_api_orgs_members_list, AR, 0},
    {"PUT", API "/organizations/:id/members/:user_id", "api_organizations", pc_api_orgs_member_put,
     AR, 0},
    {"DELETE", API "/organizations/:id/members/:user_id", "api_organizations",
     pc_api_orgs_member_delete, AR, 0},
    {"GET", API "/users/:id/organizations", "api_organizations", pc_api_users_orgs_list, AR, 0},
    /* ---- end of organizations ---- */
    /* ---- federation (API.md §14) ---- */
    {"GET", API "/identity-providers", "api_idps", pc_api_idps_list, AR, 0},
    {"POST", API "/identity-providers", "api_idps", pc_api_idps_create, AR, 0},
    {"GET", API "/identity-providers/:id", "api_idps", pc_api_idps_get, AR, 0},
    {"PATCH", API "/identity-providers/:id", "api_idps", pc_api_idps_patch, AR, 0},
    {"DELETE", API "/identity-providers/:id", "api_idps", pc_api_idps_delete, AR, 0},
    {"GET", API "/users/:id/identities", "api_idps", pc_api_users_identities_list, AR, 0},
    {"DELETE", API "/users/:id/identities/:provider", "api_idps", pc_api_users_identities_delete,
     AR, 0},
    {"GET", API "/me/identities", "api_idps", pc_api_me_identities_list, AR, 0},
    {"DELETE", API "/me/identities/:provider", "api_idps", pc_api_me_identities_delete, AR, 0},
    {"GET", API "/auth/providers", "api_idps", pc_api_auth_providers, AR, 0},
    {"GET", T "/federation/:name/start", "federation", pc_http_federation_start, PAGE, 0},
    {"POST", T "/federation/:name/start", "federation", pc_http_federation_start, PAGE, 0},
    {"GET", T "/federation/:name/callback", "federation", pc_http_federation_callback, PAGE, 0},
    /* ---- end of federation ---- */
};

static pc_route not_found_route = {"*", "*", "not_found", pc_http_not_found, 0, 0};

static struct MHD_Daemon *daemon_;
static pc_log_rate mhd_log_rate;

static double elapsed(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The body limit: the access handler keeps at most limit + 1 bytes, so more means too large. */
static int body_too_large(const pc_req *rq)
{
    const char *cl = pc_req_header(rq, "Content-Length");
    size_t limit = (size_t)pc_srv->cfg.max_body;

    if (cl != NULL && strtoull(cl, NULL, 10) > limit)
        return 1;
    return rq->u->binary_body_length > limit;
}

/* 400 in the error shape of the route: AUT-0009, the error page, or OAuth's invalid_request. */
static void bad_request(pc_req *rq, const char *why)
{
    if (rq->route->flags & PC_ROUTE_API)
        pc_api_error(rq, PC_API_INVALID, why, NULL);
    else if (rq->route->flags & PC_ROUTE_PAGE)
        pc_page_error(rq, 400, "invalid_request", "The request was malformed.");
    else
        pc_reply_oauth_error(rq, 400, "invalid_request", why);
}

/* The store could not say whether the tenant exists: 503 in the route's shape, never 404. */
static void tenant_unavailable(pc_req *rq)
{
    if (rq->route->flags & PC_ROUTE_API) {
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
        return;
    }
    pc_reply_header(rq, "Retry-After", PC_STORE_RETRY_AFTER_TEXT);
    if (rq->route->flags & PC_ROUTE_PAGE)
        pc_page_error(rq, 503, "temporarily_unavailable",
                      "The service is temporarily unavailable. Try again in a few moments.");
    else
        pc_reply_oauth_error(rq, 503, "temporarily_unavailable", "the store could not be reached");
}

static int resolve_tenant(pc_req *rq)
{
    pc_status rc = pc_tenant_acquire(pc_req_param(rq, "tenant"), &rq->tenant);

    if (rc == PC_OK)
        return 1;
    if (rc == PC_ERR_STORAGE)
        tenant_unavailable(rq);
    else if (rq->route->flags & PC_ROUTE_API)
        pc_api_error(rq, PC_API_NOT_FOUND, "No such tenant", NULL);
    else if (rq->route->flags & PC_ROUTE_PAGE)
        pc_page_error(rq, 404, "not_found", "There is no such organisation on this server.");
    else
        pc_reply_json(
            rq, 404,
            json_pack("{s:s,s:s}", "error", "not_found", "error_description", "no such tenant"));
    return 0;
}

static const pc_route *find_route(const struct _u_request *u)
{
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        if (strcasecmp(routes[i].method, u->http_verb) == 0 &&
            pc_req_path_matches(routes[i].path, u->url_path))
            return &routes[i];
    return &not_found_route;
}

static void dispatch(const struct _u_request *u, unsigned refusal, struct _u_response *resp)
{
    pc_req rq = {.u = u, .resp = resp, .route = find_route(u), .tenant = NULL, .status = 0};
    struct timespec t0;
    const char *why;
    unsigned status;
    double seconds;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    pc_http_identify(&rq); /* rq.ip and rq.request_id */
    pc_log_request_id_set(rq.request_id);
    if (refusal == 431)
        pc_reply_json(&rq, 431,
                      json_pack("{s:s,s:s}", "error", "invalid_request", "error_description",
                                "too many header fields"));
    else if (body_too_large(&rq))
        pc_reply_json(&rq, 413,
                      json_pack("{s:s,s:s}", "error", "invalid_request", "error_description",
                                "request body too large"));
    else if (pc_req_parse(&rq, &why) != 0)
        bad_request(&rq, why);
    else if (!(rq.route->flags & PC_ROUTE_TENANT) || resolve_tenant(&rq))
        rq.route->handler(&rq);
    if (rq.route->flags & PC_ROUTE_CORS)
        pc_http_cors(&rq);
    /* A handler may echo the caller's own id (AuthZEN, API.md §15): it is not doubled. */
    if (pc_reply_header_value(&rq, "X-Request-Id") == NULL)
        pc_reply_header(&rq, "X-Request-Id", rq.request_id);
    status = rq.status ? rq.status : (unsigned)resp->status;
    seconds = elapsed(&t0);
    pc_http_access_log(&rq, status, seconds);
    pc_tenant_release(rq.tenant);
    pc_req_clear(&rq);
    pc_metrics_request(rq.route->metric, status, seconds);
    pc_log_request_id_set(NULL);
}

static void register_metrics(void)
{
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        routes[i].metric = pc_metrics_route(routes[i].name);
    not_found_route.metric = pc_metrics_route(not_found_route.name);
}

static long worker_threads(void)
{
    long n = pc_srv->cfg.threads > 0 ? (long)pc_srv->cfg.threads : sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? n : 2;
}

/* MHD's messages (accept failures among them), at most one line a second. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    size_t n;

    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    pc_log_limited(&mhd_log_rate, PC_LOG_WARNING, "http: %s", line);
}

static struct MHD_Daemon *start_daemon(const pc_config *cfg)
{
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL}, /* first, so it sees everything */
        {MHD_OPTION_THREAD_POOL_SIZE, worker_threads(), NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)pc_http_access_begin, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)pc_http_access_end, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)pc_conn_guard_notify, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &bind_addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, PC_HTTP_MAX_CONNECTIONS, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)cfg->max_connections_per_ip, NULL},
        /* Room for a request line with PC_FORM_MAX_FIELDS query fields (MHD keeps a record per
         * field in this pool; at its 32 KiB default a few hundred fill it and the connection
         * hangs unanswered; 96 KiB holds 1,001 short ones). No more than needed: MHD zeroes the
         * whole pool after every request of a kept-alive connection (256 KiB cost a third of
         * the instructions of a permission check, test/bench/callgrind.sh) and so makes all
         * of it resident for every open connection. */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, PC_HTTP_CONNECTION_MEMORY, NULL},
        /* Native HTTPS: each handshake takes the identity loaded last (reloaded on SIGHUP). */
        {pc_tls_enabled() ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, 0,
         (void *)pc_tls_retrieve},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;

    if (bind_addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (pc_tls_enabled())
        flags |= MHD_USE_TLS;
    return MHD_start_daemon(flags, (uint16_t)cfg->listen_port, NULL, NULL, pc_http_access_handle,
                            NULL, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

int pc_http_start(void)
{
    const pc_config *cfg = &pc_srv->cfg;
    char err[256];

    pc_netaddr_parse_hostport(cfg->listen, &bind_addr);
    if (cfg->tls_cert_file != NULL &&
        pc_tls_load(cfg->tls_cert_file, cfg->tls_key_file, err, sizeof err) != 0) {
        pc_error("%s", err);
        return -1;
    }
    if (pc_http_proxies_configure(cfg->trusted_proxies, err, sizeof err) != 0) {
        pc_error("%s", err);
        return -1;
    }
    if (cfg->metrics_listen != NULL && pc_http_metrics_listener_start(cfg->metrics_listen) != 0)
        return -1;
    register_metrics();
    pc_http_access_setup(dispatch, (size_t)cfg->max_body);
    if (pc_conn_guard_start(PC_HTTP_MAX_CONNECTIONS, (long)cfg->request_read_timeout) != 0)
        return -1;
    daemon_ = start_daemon(cfg);
    if (daemon_ == NULL) {
        pc_error("cannot listen on %s", cfg->listen);
        pc_tls_shutdown();
        pc_conn_guard_stop();
        pc_http_metrics_listener_stop();
        return -1;
    }
    pc_info("listening on %s%s with %ld worker threads; issuer base %s; at most %lld connections "
            "per client address, %lld s to send a request",
            cfg->listen, pc_tls_enabled() ? " (HTTPS)" : "", worker_threads(), cfg->public_url,
            (long long)cfg->max_connections_per_ip, (long long)cfg->request_read_timeout);
    return 0;
}

void pc_http_stop(long grace_ms)
{
    MHD_socket listener;

    if (daemon_ == NULL)
        return;
    /* Stop accepting, ask kept-alive clients to close, let what is running finish. */
    pc_http_access_drain();
    listener = MHD_quiesce_daemon(daemon_);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    pc_info("no longer accepting connections; answers now close theirs; %ld request(s) in flight",
            pc_http_access_in_flight());
    while (grace_ms > 0 && pc_http_access_in_flight() > 0) {
        usleep(10000);
        grace_ms -= 10;
    }
    MHD_stop_daemon(daemon_);
    daemon_ = NULL;
    pc_conn_guard_stop();
    pc_http_metrics_listener_stop();
    pc_tls_shutdown();
}
