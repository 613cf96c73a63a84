/* SPDX-License-Identifier: Apache-2.0 */
/* First start (API.md §6): the default tenant, its admin role, user and admin-cli application. */
#ifndef PC_SERVER_BOOTSTRAP_H
#define PC_SERVER_BOOTSTRAP_H
#include <portcullis/portcullis.h>

/**
 * Create the default tenant and its administrators if the store is empty;
 * print generated credentials once on stdout. A second run changes nothing.
 */
pc_status pc_bootstrap(void);
/**
 * In `tx`, give a new tenant a role admin (*:*), an admin user and a
 * confidential application admin-cli holding it. *client_secret receives the
 * secret (new): `secret` if given, else a random one.
 */
pc_status pc_bootstrap_tenant_admins(pc_store_tx *tx, const char *tenant_id, const char *username,
                                     const char *password, const char *email, const char *secret,
                                     char **client_secret);
#endif
