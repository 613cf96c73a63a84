/* SPDX-License-Identifier: Apache-2.0 */
/* portcullis admin reset --tenant T: give a tenant back its administrator (API.md §11). */
#include "cli/admin_reset.h"
#include "iam/audit.h"
#include "iam/links.h"
#include "iam/superuser.h"
#include "iam/tenant.h"
#include "oauth2/session.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/password.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The admin role with exactly *:*, created if it is missing; *role (new). */
static pc_status admin_role(pc_store_tx *tx, const char *tenant_id, json_t **role)
{
    json_int_t now = pc_now();
    json_t *perms = json_pack("{s:[s],s:I}", "permissions", "*:*", "updated_at", now);
    char id[37];
    pc_status rc = pc_db_get(tx, PC_ENT_ROLE, tenant_id, "name", PC_IAM_ADMIN_ROLE, role);

    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_ROLE, tenant_id,
                          json_string_value(json_object_get(*role, "id")), perms, NULL, 0);
    else if (rc == PC_ERR_NOT_FOUND) {
        pc_uuid7(id);
        *role =
            json_pack("{s:s,s:s,s:s,s:s,s:[s],s:I,s:I}", "id", id, "tenant_id", tenant_id, "name",
                      PC_IAM_ADMIN_ROLE, "description", "Full administration of the tenant",
                      "permissions", "*:*", "created_at", now, "updated_at", now);
        rc = pc_db_insert(tx, PC_ENT_ROLE, *role, NULL, 0);
    }
    json_decref(perms);
    return rc;
}

/* The user named `username`, else the oldest holder of the admin role; *user (new). */
static pc_status admin_user(pc_store_tx *tx, const char *tenant_id, const char *username,
                            const char *role_id, json_t **user)
{
    json_t *holders = NULL, *v;
    size_t i;
    pc_status rc = pc_db_get(tx, PC_ENT_USER, tenant_id, "username", username, user);

    if (rc != PC_ERR_NOT_FOUND)
        return rc;
    rc = PC_DB->link_list(PC_DBS, tx, PC_LINK_PRINCIPAL_ROLE, tenant_id, role_id, 1, &holders);
    json_array_foreach (holders, i, v) {
        if (rc != PC_OK)
            break;
        rc = pc_db_get(tx, PC_ENT_USER, tenant_id, "id", json_string_value(v), user);
        if (rc == PC_OK)
            break;
        rc = rc == PC_ERR_NOT_FOUND ? PC_OK : rc; /* an application */
    }
    json_decref(holders);
    return rc == PC_OK && *user == NULL ? PC_ERR_NOT_FOUND : rc;
}

static pc_status new_admin_user(pc_store_tx *tx, const char *tenant_id, const char *username,
                                json_t **user)
{
    char id[37];
    json_int_t now = pc_now();

    pc_uuid7(id);
    *user = json_pack("{s:s,s:s,s:s,s:I,s:I,s:{}}", "id", id, "tenant_id", tenant_id, "username",
                      username, "created_at", now, "updated_at", now, "attributes");
    return pc_db_insert(tx, PC_ENT_USER, *user, NULL, 0);
}

/* Re-enable the user with a new password, holding the admin role, its sessions ended. */
static pc_status restore(pc_store_tx *tx, const pc_tenant *t, const json_t *user,
                         const char *role_id, const char *hash)
{
    const char *id = json_string_value(json_object_get(user, "id"));
    json_t *cols = json_pack("{s:s,s:s,s:n,s:n,s:I}", "password_hash", hash, "status", "active",
                             "disabled_until", "deleted_at", "updated_at", (json_int_t)pc_now());
    pc_status rc = pc_db_update(tx, PC_ENT_USER, t->id, id, cols, NULL, 0);

    json_decref(cols);
    if (rc == PC_OK)
        rc = PC_DB->link_add(PC_DBS, tx, PC_LINK_PRINCIPAL_ROLE, t->id, id, role_id);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, t->id);
    /* Sessions end (a new password); no "user" cut: it would also refuse the tokens the
     * administrator gets within this very second. */
    if (rc == PC_OK)
        rc = pc_session_end_all(tx, t, id);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, t->id, "user.admin_reset", "system", id, NULL, NULL);
    return rc;
}

static pc_status reset(const pc_tenant *t, const char *username, const char *hash, char **name)
{
    json_t *role = NULL, *user = NULL;
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = admin_role(tx, t->id, &role);
    if (rc == PC_OK)
        rc = admin_user(tx, t->id, username, json_string_value(json_object_get(role, "id")), &user);
    if (rc == PC_ERR_NOT_FOUND)
        rc = new_admin_user(tx, t->id, username, &user);
    if (rc == PC_OK)
        rc = restore(tx, t, user, json_string_value(json_object_get(role, "id")), hash);
    if (rc == PC_OK)
        *name = pc_strdup(json_string_value(json_object_get(user, "username")));
    json_decref(role);
    json_decref(user);
    return tx ? pc_db_finish(tx, rc) : rc;
}

int pc_cli_admin_reset(pc_server *srv, int argc, char **argv)
{
    const char *slug = NULL, *username = "admin";
    char *password = NULL, *hash = NULL, *name = NULL, err[512];
    pc_tenant *t = NULL;
    pc_status rc;

    for (int i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--tenant") == 0)
            slug = argv[i + 1];
        else if (strcmp(argv[i], "--user") == 0)
            username = argv[i + 1];
    }
    if (slug == NULL) {
        fputs("usage: portcullis admin reset --tenant SLUG [--user NAME]\n", stderr);
        return 2;
    }
    if (pc_config_load(&srv->cfg, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "portcullis: %s\n", err);
        return 1;
    }
    if (pc_log_init(srv->cfg.log_level) != 0 || pc_server_open(srv, 1) != 0)
        return 1;
    if (pc_tenant_acquire(slug, &t) != PC_OK) {
        fprintf(stderr, "portcullis: no tenant \"%s\"\n", slug);
        return 1;
    }
    password = pc_random_token(18);
    rc = pc_password_hash(password, &hash);
    if (rc == PC_OK)
        rc = reset(t, username, hash, &name);
    if (rc == PC_OK)
        printf("tenant %s: user \"%s\" is active, holds the role admin (*:*), and its password "
               "is now:\n%s\n",
               slug, name, password);
    else
        fprintf(stderr, "portcullis: admin reset failed: %s\n", pc_status_str(rc));
    free(name);
    free(hash);
    pc_free_secret(password);
    pc_tenant_release(t);
    pc_tenants_shutdown();
    return rc == PC_OK ? 0 : 1;
}
