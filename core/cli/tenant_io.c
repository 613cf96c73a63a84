/* SPDX-License-Identifier: Apache-2.0 */
/* `portcullis admin tenant export|import`: a tenant's configuration and principals as JSON. */
#include "cli/tenant_io.h"
#include "iam/links.h"
#include "iam/tenant.h"
#include "oauth2/client_auth.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define FORMAT "portcullis-tenant/1"

/* Columns carried for each kind; ids, timestamps and secrets are not. */
static const char *const role_cols[] = {"name", "description", "permissions", NULL};
static const char *const group_cols[] = {"name", "description", NULL};
static const char *const user_cols[] = {"username", "email", "name", "phone_number", NULL};
static const char *const app_cols[] = {"client_id",
                                       "name",
                                       "type",
                                       "grant_types",
                                       "redirect_uris",
                                       "post_logout_redirect_uris",
                                       "scopes",
                                       "resources",
                                       "first_party",
                                       "default_providers",
                                       NULL};

static json_t *pick(const json_t *rec, const char *const *cols)
{
    json_t *o = json_object();

    for (size_t i = 0; cols[i]; i++) {
        json_t *v = json_object_get(rec, cols[i]);
        if (v != NULL && !json_is_null(v))
            json_object_set(o, cols[i], v);
    }
    return o;
}

/* Every record of `e` in the tenant (all pages). New array, or NULL on a store error. */
static json_t *all(pc_entity e, const char *tenant_id)
{
    json_t *out = json_array(), *rows = NULL;
    char after[64] = "";
    size_t n;

    do {
        pc_store_query q = {.after = after[0] ? after : NULL, .limit = 500};
        if (pc_db_list(NULL, e, tenant_id, &q, &rows) != PC_OK) {
            json_decref(out);
            return NULL;
        }
        n = json_array_size(rows);
        if (n > 0)
            snprintf(after, sizeof after, "%s",
                     json_string_value(json_object_get(json_array_get(rows, n - 1), "id")));
        json_array_extend(out, rows);
        json_decref(rows);
    } while (n == 500);
    return out;
}

/* The links an exported record carries: roles (and a user's groups); 0 when the store fails. */
static int export_links(json_t *o, const pc_tenant *t, pc_entity e, const char *id)
{
    json_t *groups = NULL, *roles = NULL;
    pc_status rc = e == PC_ENT_USER ? pc_iam_group_names_get(t->id, id, &groups) : PC_OK;

    if (rc == PC_OK && e == PC_ENT_GROUP)
        rc = pc_iam_group_role_names_get(t->id, id, &roles);
    else if (rc == PC_OK)
        rc = pc_iam_role_names_get(t->id, id, &roles);
    if (groups != NULL)
        json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "roles", roles);
    return rc == PC_OK;
}

/* Records of `e` as exported: the picked columns, plus roles (and groups of users). */
static json_t *export_kind(const pc_tenant *t, pc_entity e, const char *const *cols)
{
    json_t *rows = all(e, t->id), *out, *row, *o;
    size_t i;

    if (rows == NULL)
        return NULL;
    out = json_array();
    json_array_foreach (rows, i, row) {
        o = pick(row, cols);
        json_array_append_new(out, o);
        if (e == PC_ENT_USER)
            json_object_set_new(o, "disabled",
                                json_boolean(json_is_integer(json_object_get(row, "deleted_at"))));
        if (e != PC_ENT_ROLE &&
            !export_links(o, t, e, json_string_value(json_object_get(row, "id")))) {
            json_decref(out);
            out = NULL; /* an export without some links would import as a different tenant */
            break;
        }
    }
    json_decref(rows);
    return out;
}

int pc_cli_tenant_export(const char *slug, FILE *out)
{
    pc_tenant *t = NULL;
    json_t *doc, *rec = NULL;
    int rc = 1;

    if (pc_tenant_acquire(slug, &t) != PC_OK ||
        pc_db_get(NULL, PC_ENT_TENANT, NULL, "slug", slug, &rec) != PC_OK) {
        fprintf(stderr, "portcullis admin: no tenant \"%s\"\n", slug);
        goto out;
    }
    doc = json_pack("{s:s,s:{s:O,s:O},s:o*,s:o*,s:o*,s:o*}", "format", FORMAT, "tenant", "name",
                    json_object_get(rec, "name"), "settings", json_object_get(rec, "settings"),
                    "roles", export_kind(t, PC_ENT_ROLE, role_cols), "groups",
                    export_kind(t, PC_ENT_GROUP, group_cols), "users",
                    export_kind(t, PC_ENT_USER, user_cols), "applications",
                    export_kind(t, PC_ENT_APPLICATION, app_cols));
    if (doc == NULL || json_object_size(doc) != 6) {
        fprintf(stderr, "portcullis admin: cannot read tenant \"%s\" from the store\n", slug);
        json_decref(doc);
        goto out;
    }
    rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : 1;
    fputc('\n', out);
    json_decref(doc);
out:
    json_decref(rec);
    pc_tenant_release(t);
    return rc;
}

/* A record of `e` for the new tenant: the document's columns, a new id, timestamps. */
static json_t *new_record(const json_t *item, const char *const *cols, const char *tenant_id)
{
    json_t *rec = pick(item, cols);
    char id[37];

    pc_uuid7(id);
    json_object_set_new(rec, "id", json_string(id));
    json_object_set_new(rec, "tenant_id", json_string(tenant_id));
    json_object_set_new(rec, "created_at", json_integer(pc_now()));
    json_object_set_new(rec, "updated_at", json_integer(pc_now()));
    return rec;
}

typedef struct import_ctx {
    pc_store_tx *tx;
    const char *tenant_id;
    json_t *secrets; /* client_id -> new secret */
    json_t *unknown; /* names of roles or groups that are not in the document */
} import_ctx;

/* Insert each item of `items` as `e`, then its links. */
static pc_status import_kind(import_ctx *c, pc_entity e, const json_t *items,
                             const char *const *cols)
{
    json_t *item;
    size_t i;
    pc_status rc = PC_OK;

    json_array_foreach (items, i, item) {
        json_t *rec = new_record(item, cols, c->tenant_id);
        const char *id = json_string_value(json_object_get(rec, "id"));
        const json_t *roles = json_object_get(item, "roles");
        if (e == PC_ENT_USER)
            json_object_set_new(rec, "deleted_at",
                                json_is_true(json_object_get(item, "disabled"))
                                    ? json_integer(pc_now())
                                    : json_null());
        if (e == PC_ENT_APPLICATION) {
            int pub = json_is_string(json_object_get(item, "type")) &&
                      strcmp(json_string_value(json_object_get(item, "type")), "public") == 0;
            char *secret = pub ? NULL : pc_random_token(32), *hash = NULL;
            if (secret != NULL) {
                hash = pc_client_secret_hash(secret);
                json_object_set_new(c->secrets,
                                    json_string_value(json_object_get(item, "client_id")),
                                    json_string(secret));
            }
            json_object_set_new(rec, "secret_hash", hash ? json_string(hash) : json_null());
            pc_free_secret(secret);
            free(hash);
        }
        rc = pc_db_insert(c->tx, e, rec, NULL, 0);
        if (rc == PC_OK && json_is_array(roles))
            rc = e == PC_ENT_GROUP
                     ? pc_iam_set_group_roles(c->tx, c->tenant_id, id, roles, &c->unknown)
                     : pc_iam_set_roles(c->tx, c->tenant_id, id, roles, &c->unknown);
        if (rc == PC_OK && e == PC_ENT_USER && json_is_array(json_object_get(item, "groups")))
            rc = pc_iam_set_groups(c->tx, c->tenant_id, id, json_object_get(item, "groups"),
                                   &c->unknown);
        json_decref(rec);
        if (rc != PC_OK)
            break;
    }
    return rc;
}

static pc_status import_doc(import_ctx *c, const char *slug, const json_t *doc)
{
    const json_t *tenant = json_object_get(doc, "tenant");
    json_t *rec = NULL, *patch;
    pc_status rc =
        pc_tenant_create(c->tx, slug, json_string_value(json_object_get(tenant, "name")), &rec);

    if (rc != PC_OK)
        return rc;
    c->tenant_id = json_string_value(json_object_get(rec, "id"));
    patch = json_pack("{s:O}", "settings", json_object_get(tenant, "settings"));
    if (json_is_object(json_object_get(tenant, "settings")))
        rc = pc_db_update(c->tx, PC_ENT_TENANT, NULL, c->tenant_id, patch, NULL, 0);
    json_decref(patch);
    if (rc == PC_OK)
        rc = import_kind(c, PC_ENT_ROLE, json_object_get(doc, "roles"), role_cols);
    if (rc == PC_OK)
        rc = import_kind(c, PC_ENT_GROUP, json_object_get(doc, "groups"), group_cols);
    if (rc == PC_OK)
        rc = import_kind(c, PC_ENT_USER, json_object_get(doc, "users"), user_cols);
    if (rc == PC_OK)
        rc = import_kind(c, PC_ENT_APPLICATION, json_object_get(doc, "applications"), app_cols);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(c->tx, c->tenant_id);
    c->tenant_id = NULL;
    json_decref(rec);
    return rc;
}

int pc_cli_tenant_import(const char *slug, FILE *in)
{
    json_error_t jerr;
    json_t *doc = json_loadf(in, 0, &jerr);
    import_ctx c = {.secrets = json_object()};
    const char *key;
    json_t *v;
    pc_status rc;

    if (doc == NULL || !json_is_string(json_object_get(doc, "format")) ||
        strcmp(json_string_value(json_object_get(doc, "format")), FORMAT) != 0) {
        fprintf(stderr, "portcullis admin: not a %s document%s%s\n", FORMAT,
                doc == NULL ? ": " : "", doc == NULL ? jerr.text : "");
        json_decref(doc);
        json_decref(c.secrets);
        return 1;
    }
    rc = pc_db_begin(&c.tx);
    if (rc == PC_OK)
        rc = import_doc(&c, slug, doc);
    rc = c.tx ? pc_db_finish(c.tx, rc) : rc;
    if (rc != PC_OK) {
        fprintf(stderr, "portcullis admin: import into \"%s\" failed (%s)%s; nothing was written\n",
                slug,
                rc == PC_ERR_CONFLICT ? "the tenant exists, or a name repeats" : pc_status_str(rc),
                c.unknown ? ": it names roles or groups it does not define" : "");
    } else {
        printf("imported tenant %s; users have no password until reset; new client secrets:\n",
               slug);
        json_object_foreach (c.secrets, key, v)
            printf("  %s %s\n", key, json_string_value(v));
    }
    json_decref(c.unknown);
    json_decref(c.secrets);
    json_decref(doc);
    return rc == PC_OK ? 0 : 1;
}
