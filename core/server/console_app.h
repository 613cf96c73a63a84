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
/** At start: the same for every tenant, one transaction each; a tenant that fails is logged. */
pc_status pc_console_apps_ensure(void);
#endif
