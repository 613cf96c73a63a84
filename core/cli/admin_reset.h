/* SPDX-License-Identifier: Apache-2.0 */
/* portcullis admin reset --tenant T: give a tenant back its administrator (API.md §11). */
#ifndef PC_CLI_ADMIN_RESET_H
#define PC_CLI_ADMIN_RESET_H
#include "server/server.h"

/**
 * `argv` holds the arguments after "admin reset": --tenant SLUG [--user NAME]. Restores
 * the role admin (*:*), re-enables (and undeletes) the tenant's admin user, gives it the
 * role, ends its sessions and prints a new password for it. Returns the exit status.
 */
int pc_cli_admin_reset(pc_server *srv, int argc, char **argv);
#endif
