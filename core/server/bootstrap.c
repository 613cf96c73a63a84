/* SPDX-License-Identifier: Apache-2.0 */
/* First start (API.md §6): the default tenant, its admin role, user and admin-cli application;
 * at every start, the consoles' application in every tenant (§13). */
#include "server/bootstrap.h"
#include "iam/audit.h"
#include "iam/tenant.h"
#include "oauth2/client_auth.h"
#include "server/console_app.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/password.h"

#include <stdio.h>
#include <stdlib.h>

#define ADMIN_CLIENT "admin-cli"

static pc_status add_role(pc_store_tx *tx, const char *tenant_id, char role_id[37])
{
    json_int_t now = pc_now();
    json_t *rec;
    pc_status rc;

    pc_uuid7(role_id);
    rec = json_pack("{s:s,s:s,s:s,s:s,s:[s],s:I,s:I}", "id", role_id, "tenant_id", tenant_id,
                    "name", "admin", "description", "Full administration of the tenant",
                    "permissions", "*:*", "created_at", now, "updated_at", now);
    rc = pc_db_insert(tx, PC_ENT_ROLE, rec, NULL, 0);
    json_decref(rec);
    return rc;
}

static pc_status add_user(pc_store_tx *tx, const char *tenant_id, const char *username,
                          const char *password, const char *email, const char *role_id)
{
    char id[37], *hash = NULL;
    json_int_t now = pc_now();
    json_t *rec;
    pc_status rc = pc_password_hash(password, &hash);

    if (rc != PC_OK)
        return rc;
    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:s,s:s?,s:n,s:n,s:s,s:I,s:I,s:n}", "id", id, "tenant_id", tenant_id,
                    "username", username, "email", email, "name", "phone_number", "password_hash",
                    hash, "created_at", now, "updated_at", now, "deleted_at");
    rc = pc_db_insert(tx, PC_ENT_USER, rec, NULL, 0);
    if (rc == PC_OK)
        rc = PC_DB->link_add(PC_DBS, tx, PC_LINK_PRINCIPAL_ROLE, tenant_id, id, role_id);
    json_decref(rec);
    free(hash);
    return rc;
}

static pc_status add_client(pc_store_tx *tx, const char *tenant_id, const char *secret,
                            const char *role_id)
{
    char id[37], *hash = pc_client_secret_hash(secret);
    json_int_t now = pc_now();
    json_t *rec;
    pc_status rc;

    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s,s,s],s:[],s:[],s:[s,s,s,s,s],s:[],s:b,s:I,s:I}",
                    "id", id, "tenant_id", tenant_id, "client_id", ADMIN_CLIENT, "name",
                    "Administration CLI", "type", "confidential", "secret_hash", hash,
                    "grant_types", "client_credentials", "password", "refresh_token",
                    "redirect_uris", "post_logout_redirect_uris", "scopes", "openid", "profile",
                    "email", "phone", "offline_access", "resources", "first_party", 1, "created_at",
                    now, "updated_at", now);
    rc = pc_db_insert(tx, PC_ENT_APPLICATION, rec, NULL, 0);
    if (rc == PC_OK)
        rc = PC_DB->link_add(PC_DBS, tx, PC_LINK_PRINCIPAL_ROLE, tenant_id, id, role_id);
    json_decref(rec);
    free(hash);
    return rc;
}

pc_status pc_bootstrap_tenant_admins(pc_store_tx *tx, const char *tenant_id, const char *username,
                                     const char *password, const char *email, const char *secret,
                                     char **client_secret)
{
    char role_id[37];
    char *s = secret ? pc_strdup(secret) : pc_random_token(32);
    pc_status rc = add_role(tx, tenant_id, role_id);

    if (rc == PC_OK)
        rc = add_user(tx, tenant_id, username, password, email, role_id);
    if (rc == PC_OK)
        rc = add_client(tx, tenant_id, s, role_id);
    if (rc != PC_OK) {
        pc_free_secret(s);
        return rc;
    }
    *client_secret = s;
    return PC_OK;
}

static void announce(const char *password, int password_generated, const char *secret,
                     int secret_generated)
{
    const pc_config *c = &pc_srv->cfg;

    printf("\n=== Portcullis first start: tenant \"default\" created ===\n");
    printf("  issuer:        %s/t/default\n", c->public_url);
    printf("  admin user:    admin / %s\n",
           password_generated ? password : "(from PORTCULLIS_ADMIN_PASSWORD)");
    printf("  admin client:  %s / %s\n", ADMIN_CLIENT,
           secret_generated ? secret : "(from PORTCULLIS_ADMIN_CLIENT_SECRET)");
    if (password_generated || secret_generated)
        printf("  These generated credentials are shown only this once.\n");
    printf("\n  Get a token:\n    curl -s -u \"%s:%s\" -d grant_type=client_credentials "
           "%s/t/default/oauth2/token\n\n",
           ADMIN_CLIENT, secret_generated ? secret : "$PORTCULLIS_ADMIN_CLIENT_SECRET",
           c->public_url);
    fflush(stdout);
}

pc_status pc_bootstrap(void)
{
    const pc_config *c = &pc_srv->cfg;
    json_t *existing = NULL, *tenant = NULL;
    char *password = c->admin_password ? pc_strdup(c->admin_password) : pc_random_token(18);
    char *secret = NULL;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (pc_db_get(NULL, PC_ENT_TENANT, NULL, "slug", PC_TENANT_DEFAULT, &existing) == PC_OK) {
        json_decref(existing);
        pc_free_secret(password);
        return pc_console_apps_ensure(); /* not the first start */
    }
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_tenant_create(tx, PC_TENANT_DEFAULT, "Default", &tenant);
    if (rc == PC_OK)
        rc = pc_bootstrap_tenant_admins(tx, json_string_value(json_object_get(tenant, "id")),
                                        "admin", password, NULL, c->admin_client_secret, &secret);
    if (rc == PC_OK)
        rc =
            pc_audit_record(tx, json_string_value(json_object_get(tenant, "id")), "tenant.created",
                            "system", json_string_value(json_object_get(tenant, "id")), NULL, NULL);
    if (rc == PC_OK)
        rc = pc_console_app_ensure(tx, json_string_value(json_object_get(tenant, "id")),
                                   PC_TENANT_DEFAULT);
    rc = tx ? pc_db_finish(tx, rc) : rc;
    if (rc == PC_OK)
        announce(password, c->admin_password == NULL, secret, c->admin_client_secret == NULL);
    else
        pc_error("bootstrap failed: %s", pc_status_str(rc));
    json_decref(tenant);
    pc_free_secret(password);
    pc_free_secret(secret);
    return rc;
}
