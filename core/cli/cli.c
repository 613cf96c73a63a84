/* SPDX-License-Identifier: Apache-2.0 */
/* The command line's words: usage, per-command help, and strict argument parsing. */
#include "cli/cli.h"
#include "server/server.h"

#include <errno.h>
#include <portcullis/portcullis.h>
#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    const char *synopsis;
    const char *help;
} command;

static const command commands[] = {
    {"serve", "serve",
     "Run the server until SIGTERM, SIGINT or SIGQUIT (requests in flight drain first).\n"
     "Pending schema migrations are applied; on first start the default tenant, its admin\n"
     "and the master key are created. Settings: defaults, then the libconfig file named by\n"
     "$PORTCULLIS_CONFIG, then PORTCULLIS_<NAME> environment variables.\n"},
    {"migrate", "migrate", "Apply schema migrations to the configured store and exit.\n"},
    {"plugins", "plugins", "List the plugins in the plugin directory with kind and version.\n"},
    {"keys rotate", "keys rotate --tenant SLUG [--delay SECONDS]",
     "Add new signing keys to a tenant. They are published in the JWKS now and sign after\n"
     "SECONDS (default: the key_publish_delay setting, 0..86400), so relying parties have\n"
     "fetched them first; the old keys retire then.\n"},
    {"admin", "admin <users|tenants> <verb> ...",
     "Administer users and tenants on the server host, straight to the store\n"
     "(portcullis admin --help lists the verbs).\n"},
    {"version", "version", "Print the version, the git commit, the store schema and the ABI.\n"},
};

#define NCOMMANDS (sizeof commands / sizeof *commands)

void pc_cli_usage(FILE *out)
{
    fputs("usage: portcullis <command> [--help]\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %s\n", commands[i].synopsis);
}

int pc_cli_help(const char *cmd)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, cmd) == 0) {
            printf("usage: portcullis %s\n\n%s", commands[i].synopsis, commands[i].help);
            return 0;
        }
    return -1;
}

static int is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static int refuse(const char *cmd, const char *what, const char *arg, int *status)
{
    fprintf(stderr, "portcullis %s: %s \"%s\" (see portcullis %s --help)\n", cmd, what, arg, cmd);
    *status = PC_CLI_USAGE;
    return -1;
}

int pc_cli_plain_args(const char *cmd, int argc, char **argv, int *status)
{
    for (int i = 0; i < argc; i++) {
        if (is_help(argv[i])) {
            *status = pc_cli_help(cmd) == 0 ? 0 : PC_CLI_USAGE;
            return -1;
        }
    }
    if (argc > 0)
        return refuse(cmd, argv[0][0] == '-' ? "unknown option" : "unexpected argument", argv[0],
                      status);
    return 0;
}

static int parse_delay(const char *s, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 86400)
        return -1;
    *out = v;
    return 0;
}

int pc_cli_rotate_args(int argc, char **argv, const char **slug, int64_t *delay, int *status)
{
    static const char cmd[] = "keys rotate";

    *slug = NULL;
    *delay = -1;
    for (int i = 0; i < argc; i++) {
        if (is_help(argv[i])) {
            *status = pc_cli_help(cmd);
            return -1;
        }
        if (strcmp(argv[i], "--tenant") != 0 && strcmp(argv[i], "--delay") != 0)
            return refuse(cmd, "unknown option", argv[i], status);
        if (i + 1 == argc)
            return refuse(cmd, "missing a value after", argv[i], status);
        if (strcmp(argv[i], "--tenant") == 0)
            *slug = argv[++i];
        else if (parse_delay(argv[++i], delay) != 0)
            return refuse(cmd, "--delay must be a number of seconds in 0..86400, not", argv[i],
                          status);
    }
    if (*slug == NULL) {
        fprintf(stderr, "portcullis keys rotate: --tenant SLUG is required\n");
        *status = PC_CLI_USAGE;
        return -1;
    }
    return 0;
}

void pc_cli_version(void)
{
    printf("portcullis %s (commit %s, store schema %d, plugin ABI %d.%d)\n", PC_VERSION,
           PC_GIT_COMMIT, PC_STORE_SCHEMA_VERSION, PC_ABI_MAJOR, PC_ABI_MINOR);
}
