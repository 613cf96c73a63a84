/* SPDX-License-Identifier: Apache-2.0 */
/* The consoles' OIDC client (API.md §13): portcullis-console in every tenant. */
#ifndef PC_SERVER_CONSOLE_APP_H
#define PC_SERVER_CONSOLE_APP_H
#include <portcullis/portcullis.h>

#define PC_CONSOLE_CLIENT "portcullis-console"
#define PC_CONSOLE_NAME "Portcullis console"

/**
 * In `tx`, create the tenant's public, first-party application portcullis-console
 * (code + PKCE, returning to {issuer}/ui/account and {issuer}/ui/admin) if it is
 * missing, or point its URIs at the current PUBLIC_URL. Idempotent.
 */
pc_status pc_console_app_ensure(pc_store_tx *tx, const char *tenant_id, const char *slug);
/**
 * At start, before serving: the same for the default tenant (the consoles the
 * server itself links to). Every other tenant's is seen to by
 * pc_console_apps_start(), so that many tenants do not delay readiness.
 */
pc_status pc_console_apps_ensure(void);
/** After start: the same for every tenant, one transaction each, in a thread of its own. */
void pc_console_apps_start(void);
/** Stop that thread (after the tenant it is at) and wait for it. */
void pc_console_apps_stop(void);
#endif
