/* SPDX-License-Identifier: Apache-2.0 */
/* The command line's words: usage, per-command help, and strict argument parsing. */
#ifndef PC_CLI_CLI_H
#define PC_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

/** Exit status of a usage error (unknown command or flag, missing or bad value). */
#define PC_CLI_USAGE 2

/** The list of commands, to `out`. */
void pc_cli_usage(FILE *out);

/**
 * Arguments of a command that takes none but --help (serve, migrate, plugins,
 * version): -1 when done and main should exit with *status (help printed: 0;
 * an unknown flag: reported, PC_CLI_USAGE), else 0 to run the command.
 */
int pc_cli_plain_args(const char *cmd, int argc, char **argv, int *status);

/** `keys rotate` arguments; *delay is -1 when not given. Same return as pc_cli_plain_args. */
int pc_cli_rotate_args(int argc, char **argv, const char **slug, int64_t *delay, int *status);

/** Help for `cmd` (as typed after "portcullis"), to stdout. 0, or -1 for an unknown command. */
int pc_cli_help(const char *cmd);

/** "portcullis X.Y.Z (commit ..., store schema N, plugin ABI M.m)" to stdout. */
void pc_cli_version(void);

#endif
