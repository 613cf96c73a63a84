/* SPDX-License-Identifier: Apache-2.0 */
/* portcullis: the commands (serve, migrate, plugins, keys rotate, version); words in cli/. */
#include "cli/admin.h"
#include "cli/cli.h"
#include "cli/admin_reset.h"
#include "http/router.h"
#include "http/tls.h"
#include "iam/app_cache.h"
#include "iam/delivery.h"
#include "iam/permcache.h"
#include "authz/authz.h"
#include "iam/tenant.h"
#include "oidc/backchannel.h"
#include "jose/keyring.h"
#include "oauth2/changes.h"
#include "oauth2/token_cache.h"
#include "server/bootstrap.h"
#include "server/console_app.h"
#include "server/server.h"
#include "server/store.h"
#include "util/log.h"
#include "webhooks/webhooks.h"

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define DRAIN_MS 10000

static int open_everything(pc_server *srv, int migrate)
{
    char err[512];

    if (pc_config_load(&srv->cfg, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "portcullis: %s\n", err);
        return -1;
    }
    if (pc_log_init(srv->cfg.log_level) != 0) {
        fprintf(stderr, "portcullis: PORTCULLIS_LOG_LEVEL must be error, warning, info or debug\n");
        return -1;
    }
    if (pc_log_format(srv->cfg.log_format) != 0) {
        fprintf(stderr, "portcullis: PORTCULLIS_LOG_FORMAT must be text or json, not \"%s\"\n",
                srv->cfg.log_format);
        return -1;
    }
    return pc_server_open(srv, migrate);
}

/* Signals that stop the server (it drains first), and signals it notes and ignores. */
static const int stop_signals[] = {SIGTERM, SIGINT, SIGQUIT};
static const int noted_signals[] = {SIGHUP, SIGUSR1, SIGUSR2, SIGALRM};
static const int fatal_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGHUP: return "SIGHUP";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGALRM: return "SIGALRM";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    default: return "a signal";
    }
}

/* One line naming the signal, with async-signal-safe calls only; then the default action. */
static void on_fatal(int sig)
{
    static const char head[] = "portcullis: fatal signal ";
    const char *name = signal_name(sig);
    char line[64];
    size_t n = sizeof head - 1, m = strlen(name);

    memcpy(line, head, n);
    memcpy(line + n, name, m);
    line[n + m] = '\n';
    if (write(STDERR_FILENO, line, n + m + 1) < 0) {
        /* nothing more can be done */
    }
    raise(sig); /* SA_RESETHAND restored the default: delivered on return */
}

static void install_fatal_handlers(void)
{
    static char alt_stack[65536]; /* so a stack overflow on the main thread is reported too */
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
    struct sigaction sa;

    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
        sigaction(fatal_signals[i], &sa, NULL);
}

/* The signals main waits for; blocked in every thread so that only sigwait sees them. */
static void handled_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(set, stop_signals[i]);
    for (size_t i = 0; i < sizeof noted_signals / sizeof *noted_signals; i++)
        sigaddset(set, noted_signals[i]);
}

static int wait_for_stop(const sigset_t *set)
{
    int sig = 0;

    for (;;) {
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
            return sig;
        if (sig == SIGHUP && pc_tls_enabled())
            pc_tls_reload(); /* logs what it did; a bad pair keeps the old one serving */
        else if (sig == SIGHUP)
            pc_info("SIGHUP received: nothing to reload (no TLS certificate; logs go to standard "
                    "output and settings are read at start); still running");
        else
            pc_warn("%s received and ignored; still running", signal_name(sig));
    }
}

/* Many connections need many descriptors: the soft limit goes up to the hard one. */
static void raise_open_files_limit(void)
{
    struct rlimit rl;
    rlim_t soft;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    soft = rl.rlim_cur;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            pc_warn("cannot raise the open files limit from %llu to %llu", (unsigned long long)soft,
                    (unsigned long long)rl.rlim_max);
        else
            soft = rl.rlim_cur;
    }
    pc_info("open files limit: %llu", (unsigned long long)soft);
}

static int cmd_serve(pc_server *srv)
{
    sigset_t set;
    int rc = 1, sig;

    handled_signals(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    install_fatal_handlers();
    if (open_everything(srv, 1) != 0 || pc_bootstrap() != PC_OK)
        return 1;
    raise_open_files_limit();
    pc_tenants_init();
    pc_permcache_init();
    pc_pdp_init();
    pc_app_cache_init();
    pc_webhooks_init();
    if (pc_changes_start() != PC_OK ||
        pc_webhooks_start((unsigned)srv->cfg.webhook_workers) != PC_OK ||
        /* issue #18: back-channel logout deliveries, where webhooks are delivered */
        (srv->cfg.webhook_workers > 0 && pc_backchannel_start() != PC_OK) ||
        pc_delivery_start(PC_DELIVERY_THREADS, PC_DELIVERY_CAPACITY) != PC_OK ||
        pc_http_start() != 0)
        goto out;
    pc_console_apps_start(); /* every tenant's console application, beside serving */
    pc_info("ready");
    sig = wait_for_stop(&set);
    pc_info("stopping on %s", signal_name(sig));
    pc_http_stop(DRAIN_MS);
    rc = 0;
out:
    pc_console_apps_stop();
    pc_webhooks_stop();
    pc_backchannel_stop();
    pc_delivery_stop();
    pc_changes_stop();
    pc_token_cache_clear();
    pc_permcache_shutdown();
    pc_pdp_shutdown();
    pc_app_cache_shutdown();
    pc_tenants_shutdown();
    return rc;
}

static int cmd_migrate(pc_server *srv)
{
    int from = 0, to = 0;

    if (open_everything(srv, 0) != 0 ||
        srv->store.ops->migrate(srv->store.state, &from, &to) != PC_OK)
        return 1;
    printf("schema version %d -> %d%s\n", from, to, from == to ? " (nothing to do)" : "");
    return 0;
}

static int cmd_plugins(pc_server *srv)
{
    char err[512], *dir;
    pc_registry reg = {0};

    if (pc_config_load(&srv->cfg, NULL, err, sizeof err) != 0 || pc_log_init("warning") != 0) {
        fprintf(stderr, "portcullis: %s\n", err);
        return 1;
    }
    dir = pc_plugins_default_dir(srv->cfg.plugin_dir);
    printf("plugins in %s:\n", dir);
    pc_registry_scan(&reg, dir);
    for (size_t i = 0; i < reg.n; i++) {
        const pc_plugin *d = reg.items[i].desc;
        printf("  %-9s %-20s %-8s %s\n", pc_plugin_kind_str(d->kind), d->name,
               d->version ? d->version : "", d->description ? d->description : "");
    }
    pc_registry_free(&reg);
    free(dir);
    return 0;
}

static int cmd_keys_rotate(pc_server *srv, int argc, char **argv)
{
    const char *slug;
    int64_t delay;
    pc_tenant *t = NULL;
    pc_store_tx *tx = NULL;
    pc_status rc;
    int status;

    if (pc_cli_rotate_args(argc, argv, &slug, &delay, &status) != 0)
        return status;
    if (open_everything(srv, 1) != 0)
        return 1;
    if (pc_tenant_acquire(slug, &t) != PC_OK) {
        fprintf(stderr, "portcullis: no tenant \"%s\"\n", slug);
        return 1;
    }
    if (delay < 0)
        delay = srv->cfg.key_publish_delay;
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_keyring_rotate(tx, t->id, srv->master_key, pc_now(), delay,
                               t->access_ttl > t->session_ttl ? t->access_ttl : t->session_ttl);
    rc = tx ? pc_db_finish(tx, rc) : rc;
    if (rc == PC_OK)
        printf("tenant %s: new keys published now, signing in %lld s; old keys retire then\n", slug,
               (long long)delay);
    pc_tenant_release(t);
    pc_tenants_shutdown();
    return rc == PC_OK ? 0 : 1;
}

/* portcullis admin ...: cli/admin.c, with the store open. */
static int cmd_admin(pc_server *srv, int argc, char **argv)
{
    int rc;

    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            pc_cli_admin_help();
            return 0;
        }
    /* Break-glass: opens the store itself (API.md §11). */
    if (argc >= 1 && strcmp(argv[0], "reset") == 0)
        return pc_cli_admin_reset(srv, argc - 1, argv + 1);
    if (argc < 2) {
        pc_cli_admin_help();
        return PC_CLI_USAGE;
    }
    if (open_everything(srv, 1) != 0)
        return 1;
    pc_tenants_init();
    rc = pc_cli_admin(argc, argv);
    pc_tenants_shutdown();
    return rc;
}

/* One-shot commands: the name, and the function running it after its arguments are checked. */
static int run(pc_server *srv, const char *cmd, int argc, char **argv)
{
    int status;

    if (strcmp(cmd, "keys rotate") == 0)
        return cmd_keys_rotate(srv, argc, argv);
    if (strcmp(cmd, "admin") == 0)
        return cmd_admin(srv, argc, argv);
    if (pc_cli_plain_args(cmd, argc, argv, &status) != 0)
        return status;
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(srv);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(srv);
    return cmd_plugins(srv);
}

static const char *command_of(int argc, char **argv, int *used)
{
    static const char *const single[] = {"serve", "migrate", "plugins", "admin"};

    *used = 2;
    for (size_t i = 0; i < sizeof single / sizeof *single; i++)
        if (strcmp(argv[1], single[i]) == 0)
            return single[i];
    *used = 3;
    if (argc >= 3 && strcmp(argv[1], "keys") == 0 && strcmp(argv[2], "rotate") == 0)
        return "keys rotate";
    return NULL;
}

int main(int argc, char **argv)
{
    static pc_server srv;
    const char *cmd;
    int rc, used, status;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
        pc_cli_usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "version") == 0) {
        if (pc_cli_plain_args("version", argc - 2, argv + 2, &status) != 0)
            return status;
        pc_cli_version();
        return 0;
    }
    cmd = argc >= 2 ? command_of(argc, argv, &used) : NULL;
    if (cmd == NULL) {
        if (argc >= 2)
            fprintf(stderr, "portcullis: unknown command \"%s\"\n", argv[1]);
        pc_cli_usage(stderr);
        return PC_CLI_USAGE;
    }
    gnutls_global_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = run(&srv, cmd, argc - used, argv + used);
    pc_server_close(&srv);
    pc_log_close();
    curl_global_cleanup();
    gnutls_global_deinit();
    return rc;
}
