/* SPDX-License-Identifier: Apache-2.0 */
/* `portcullis admin ...`: administration on the server host, straight to the store. */
#include "cli/admin.h"
#include "cli/cli.h"
#include "cli/tenant_io.h"
#include "iam/audit.h"
#include "iam/tenant.h"
#include "oauth2/changes.h"
#include "oauth2/session.h"
#include "server/bootstrap.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"
#include "util/password.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTOR "system" /* audit actor of host-side administration */

/* Parsed options of one admin command: --tenant, --email, --name, --password-stdin, one word. */
typedef struct admin_args {
    const char *tenant, *email, *name, *word;
    int password_stdin;
} admin_args;

typedef int (*admin_fn)(const admin_args *a);

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "portcullis admin: %s \"%s\" (see portcullis admin --help)\n", what, arg);
    return PC_CLI_USAGE;
}

static int parse(int argc, char **argv, admin_args *a)
{
    memset(a, 0, sizeof *a);
    a->tenant = PC_TENANT_DEFAULT;
    for (int i = 0; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--tenant") == 0  ? &a->tenant
                            : strcmp(argv[i], "--email") == 0 ? &a->email
                            : strcmp(argv[i], "--name") == 0  ? &a->name
                                                              : NULL;
        if (strcmp(argv[i], "--password-stdin") == 0)
            a->password_stdin = 1;
        else if (slot != NULL && i + 1 < argc)
            *slot = argv[++i];
        else if (slot != NULL)
            return usage_error("missing a value after", argv[i]);
        else if (argv[i][0] == '-')
            return usage_error("unknown option", argv[i]);
        else if (a->word == NULL)
            a->word = argv[i];
        else
            return usage_error("unexpected argument", argv[i]);
    }
    return 0;
}

/* The password to set: one line of stdin, or a new random one (printed by the caller). */
static char *password_for(const admin_args *a, int *generated)
{
    char line[1024];
    size_t n;

    *generated = !a->password_stdin;
    if (!a->password_stdin)
        return pc_random_token(18);
    if (fgets(line, sizeof line, stdin) == NULL)
        return NULL;
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    return pc_strdup(line);
}

static pc_tenant *tenant_or_say(const char *slug)
{
    pc_tenant *t = NULL;

    if (pc_tenant_acquire(slug, &t) != PC_OK)
        fprintf(stderr, "portcullis admin: no tenant \"%s\"\n", slug);
    return t;
}

static json_t *user_or_say(const pc_tenant *t, const char *username)
{
    json_t *u = NULL;

    if (username == NULL) {
        fprintf(stderr, "portcullis admin: a USERNAME is required\n");
        return NULL;
    }
    if (pc_db_get(NULL, PC_ENT_USER, t->id, "username", username, &u) != PC_OK)
        fprintf(stderr, "portcullis admin: no user \"%s\" in tenant %s\n", username, t->slug);
    return u;
}

static int finish(pc_store_tx *tx, pc_status rc, const char *what)
{
    rc = tx ? pc_db_finish(tx, rc) : rc;
    if (rc != PC_OK)
        fprintf(stderr, "portcullis admin: %s failed: %s\n", what, pc_status_str(rc));
    return rc == PC_OK ? 0 : 1;
}

static int users_list(const admin_args *a)
{
    pc_tenant *t = tenant_or_say(a->tenant);
    json_t *rows = NULL, *row;
    char after[64] = "";
    pc_status rc = PC_OK;
    size_t i, n;

    if (t == NULL)
        return 1;
    printf("%-24s %-32s %-8s %s\n", "USERNAME", "EMAIL", "STATUS", "ID");
    do {
        pc_store_query q = {.after = after[0] ? after : NULL, .limit = 200};
        rc = pc_db_list(NULL, PC_ENT_USER, t->id, &q, &rows);
        n = rc == PC_OK ? json_array_size(rows) : 0;
        json_array_foreach (rows, i, row) {
            const char *email = json_string_value(json_object_get(row, "email"));
            printf("%-24s %-32s %-8s %s\n", json_string_value(json_object_get(row, "username")),
                   email ? email : "-",
                   json_is_null(json_object_get(row, "deleted_at")) ? "active" : "disabled",
                   json_string_value(json_object_get(row, "id")));
            snprintf(after, sizeof after, "%s", json_string_value(json_object_get(row, "id")));
        }
        json_decref(rows);
        rows = NULL;
    } while (rc == PC_OK && n == 200);
    pc_tenant_release(t);
    return finish(NULL, rc, "listing users");
}

static int users_create(const admin_args *a)
{
    pc_tenant *t = tenant_or_say(a->tenant);
    int generated, rc = 1;
    char *pw = NULL, *hash = NULL, id[37];
    const char *problem;
    json_t *rec = NULL;
    pc_store_tx *tx = NULL;
    pc_status st;

    if (t == NULL || a->word == NULL || (pw = password_for(a, &generated)) == NULL) {
        fprintf(stderr,
                "portcullis admin: users create needs a tenant, a USERNAME and a password\n");
        goto out;
    }
    if ((problem = pc_password_problem(pw)) != NULL) {
        fprintf(stderr, "portcullis admin: password %s\n", problem);
        goto out;
    }
    if (pc_password_hash(pw, &hash) != PC_OK)
        goto out;
    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:n,s:s,s:I,s:I,s:n}", "id", id, "tenant_id", t->id,
                    "username", a->word, "email", a->email, "name", a->name, "phone_number",
                    "password_hash", hash, "created_at", (json_int_t)pc_now(), "updated_at",
                    (json_int_t)pc_now(), "deleted_at");
    st = pc_db_begin(&tx);
    if (st == PC_OK)
        st = pc_db_insert(tx, PC_ENT_USER, rec, NULL, 0);
    if (st == PC_OK)
        st = pc_audit_record(tx, t->id, "user.created", ACTOR, id, NULL, NULL);
    rc = finish(tx, st,
                st == PC_ERR_CONFLICT ? "creating the user (name taken)" : "creating the user");
    if (rc == 0)
        printf("created user %s (%s) in tenant %s%s%s\n", a->word, id, t->slug,
               generated ? "; password: " : "", generated ? pw : "");
out:
    pc_free_secret(pw);
    free(hash);
    json_decref(rec);
    pc_tenant_release(t);
    return rc;
}

/* Disable (soft delete, every session and token ended) or enable a user, with its audit event. */
static int users_set_enabled(const admin_args *a, int enable)
{
    pc_tenant *t = tenant_or_say(a->tenant);
    json_t *u = t ? user_or_say(t, a->word) : NULL, *patch;
    const char *id = json_string_value(json_object_get(u, "id"));
    pc_store_tx *tx = NULL;
    pc_status rc;
    int status = 1;

    if (u == NULL)
        goto out;
    patch = enable ? json_pack("{s:n,s:I}", "deleted_at", "updated_at", (json_int_t)pc_now())
                   : json_pack("{s:I,s:I}", "deleted_at", (json_int_t)pc_now(), "updated_at",
                               (json_int_t)pc_now());
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_USER, t->id, id, patch, NULL, 0);
    if (rc == PC_OK && !enable)
        rc = pc_session_end_all(tx, t, id);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, t->id, enable ? "user.restored" : "user.deleted", ACTOR, id, NULL,
                             NULL);
    json_decref(patch);
    status = finish(tx, rc, enable ? "enabling the user" : "disabling the user");
    if (status == 0)
        printf("user %s in tenant %s %s\n", a->word, t->slug,
               enable ? "enabled" : "disabled; its sessions and tokens ended");
out:
    json_decref(u);
    pc_tenant_release(t);
    return status;
}

static int users_disable(const admin_args *a)
{
    return users_set_enabled(a, 0);
}

static int users_enable(const admin_args *a)
{
    return users_set_enabled(a, 1);
}

static int users_reset_password(const admin_args *a)
{
    pc_tenant *t = tenant_or_say(a->tenant);
    json_t *u = t ? user_or_say(t, a->word) : NULL, *patch = NULL;
    const char *id = json_string_value(json_object_get(u, "id")), *problem;
    char *pw = NULL, *hash = NULL;
    int generated, status = 1;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (u == NULL || (pw = password_for(a, &generated)) == NULL)
        goto out;
    if ((problem = pc_password_problem(pw)) != NULL) {
        fprintf(stderr, "portcullis admin: password %s\n", problem);
        goto out;
    }
    if (pc_password_hash(pw, &hash) != PC_OK)
        goto out;
    patch = json_pack("{s:s,s:I}", "password_hash", hash, "updated_at", (json_int_t)pc_now());
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_USER, t->id, id, patch, NULL, 0);
    if (rc == PC_OK)
        rc = pc_session_end_all(tx, t, id);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, t->id, "user.password_reset", ACTOR, id, NULL, NULL);
    status = finish(tx, rc, "resetting the password");
    if (status == 0)
        printf("password of %s in tenant %s reset; its sessions ended%s%s\n", a->word, t->slug,
               generated ? "; new password: " : "", generated ? pw : "");
out:
    pc_free_secret(pw);
    free(hash);
    json_decref(patch);
    json_decref(u);
    pc_tenant_release(t);
    return status;
}

static int tenants_create(const admin_args *a)
{
    json_t *rec = NULL;
    char *pw = pc_random_token(18), *secret = NULL;
    pc_store_tx *tx = NULL;
    pc_status rc;
    int status;

    if (a->word == NULL || !pc_tenant_slug_valid(a->word)) {
        fprintf(stderr, "portcullis admin: tenants create SLUG: SLUG must match "
                        "^[a-z0-9][a-z0-9-]{0,62}$\n");
        pc_free_secret(pw);
        return PC_CLI_USAGE;
    }
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_tenant_create(tx, a->word, a->name, &rec);
    if (rc == PC_OK)
        rc = pc_bootstrap_tenant_admins(tx, json_string_value(json_object_get(rec, "id")), "admin",
                                        pw, a->email, NULL, &secret);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, json_string_value(json_object_get(rec, "id")), "tenant.created",
                             ACTOR, json_string_value(json_object_get(rec, "id")), NULL, NULL);
    status = finish(
        tx, rc, rc == PC_ERR_CONFLICT ? "creating the tenant (slug taken)" : "creating the tenant");
    if (status == 0)
        printf("created tenant %s\n  admin user:   admin / %s\n  admin client: admin-cli / %s\n",
               a->word, pw, secret);
    pc_free_secret(pw);
    pc_free_secret(secret);
    json_decref(rec);
    return status;
}

static int tenants_delete(const admin_args *a)
{
    json_t *t = NULL;
    const char *id;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (a->word == NULL || strcmp(a->word, PC_TENANT_DEFAULT) == 0) {
        fprintf(stderr, "portcullis admin: tenants delete SLUG (not the default tenant)\n");
        return PC_CLI_USAGE;
    }
    if (pc_db_get(NULL, PC_ENT_TENANT, NULL, "slug", a->word, &t) != PC_OK) {
        fprintf(stderr, "portcullis admin: no tenant \"%s\"\n", a->word);
        return 1;
    }
    id = json_string_value(json_object_get(t, "id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_TENANT, NULL, id); /* everything in it cascades */
    if (rc == PC_OK)
        rc = pc_change_write(tx, id, "tenant", id, pc_now() + 86400);
    rc = finish(tx, rc, "deleting the tenant");
    if (rc == 0)
        printf("deleted tenant %s and everything in it\n", a->word);
    json_decref(t);
    return rc;
}

static int tenant_export(const admin_args *a)
{
    return pc_cli_tenant_export(a->tenant, stdout);
}

static int tenant_import(const admin_args *a)
{
    if (a->word == NULL) {
        fprintf(stderr, "portcullis admin: tenant import NEW-SLUG < FILE\n");
        return PC_CLI_USAGE;
    }
    return pc_cli_tenant_import(a->word, stdin);
}

static const struct {
    const char *group, *verb;
    admin_fn run;
} admin_commands[] = {
    {"users", "list", users_list},
    {"users", "create", users_create},
    {"users", "disable", users_disable},
    {"users", "enable", users_enable},
    {"users", "reset-password", users_reset_password},
    {"tenants", "create", tenants_create},
    {"tenants", "delete", tenants_delete},
    {"tenant", "export", tenant_export},
    {"tenant", "import", tenant_import},
};

void pc_cli_admin_help(void)
{
    fputs("usage: portcullis admin <group> <verb> [options]\n\n"
          "Administration on the server host, straight to the configured store (same settings as\n"
          "serve; a running server sees the changes through the change feed). Audit events are\n"
          "recorded with the actor \"system\". Options: --tenant SLUG (default: default).\n\n"
          "  users list                      users of the tenant\n"
          "  users create USERNAME [--email E] [--name N] [--password-stdin]\n"
          "  users disable USERNAME          block sign-in, end its sessions and tokens\n"
          "  users enable USERNAME\n"
          "  users reset-password USERNAME [--password-stdin]\n"
          "                                  without --password-stdin a random password is\n"
          "                                  set and printed once\n"
          "  tenants create SLUG [--name N] [--email E]\n"
          "                                  with an admin user and admin-cli, printed once\n"
          "  tenants delete SLUG             the tenant and everything in it\n"
          "  tenant export [--tenant SLUG] > FILE\n"
          "                                  roles, groups, users, applications as JSON, without\n"
          "                                  passwords, secrets, keys or second factors\n"
          "  tenant import NEW-SLUG < FILE   a new tenant from an export; new client secrets\n"
          "                                  are printed once, users need a password reset\n"
          "  reset --tenant SLUG [--user NAME]\n"
          "                                  break-glass: the role admin gets *:* back, the\n"
          "                                  tenant's admin user is re-enabled with it and\n"
          "                                  gets a new password, printed once\n",
          stdout);
}

int pc_cli_admin(int argc, char **argv)
{
    admin_args a;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "portcullis admin: a group and a verb are needed\n");
        return PC_CLI_USAGE;
    }
    for (size_t i = 0; i < sizeof admin_commands / sizeof *admin_commands; i++) {
        if (strcmp(admin_commands[i].group, argv[0]) != 0 ||
            strcmp(admin_commands[i].verb, argv[1]) != 0)
            continue;
        rc = parse(argc - 2, argv + 2, &a);
        return rc != 0 ? rc : admin_commands[i].run(&a);
    }
    return usage_error("unknown command", argv[0]);
}
