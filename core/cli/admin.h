/* SPDX-License-Identifier: Apache-2.0 */
/* `portcullis admin ...`: administration on the server host, straight to the store. */
#ifndef PC_CLI_ADMIN_H
#define PC_CLI_ADMIN_H

/** Help of `portcullis admin`, to stdout. */
void pc_cli_admin_help(void);

/**
 * Run `admin <argv...>` with the store open and tenants initialised. Returns
 * the exit status: 0, 1 (refused or failed, with a message on stderr) or 2
 * (usage).
 */
int pc_cli_admin(int argc, char **argv);

#endif
