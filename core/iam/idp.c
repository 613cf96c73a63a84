/* SPDX-License-Identifier: Apache-2.0 */
/* Identity providers of a tenant (API.md §14): their plugins, sealed configs, linked identities. */
#include "iam/idp.h"
#include "iam/providers.h"
#include "server/plugins.h"
#include "server/server.h"
#include "server/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define MAX_IDPS 200

const pc_idp_ops *pc_idp_plugin(const char *kind, void **state)
{
    pc_loaded_plugin *p = kind ? pc_registry_find_idp(&pc_srv->plugins, kind) : NULL;

    if (p == NULL || !p->initialised)
        return NULL;
    *state = p->state;
    return (const pc_idp_ops *)p->desc;
}

/* Would the stored secrets go to another upstream than the one they were given for? */
static int upstream_changed(const json_t *plain, const json_t *previous)
{
    static const char *const members[] = {
        "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "url", NULL};

    if (previous == NULL)
        return 0;
    for (size_t i = 0; members[i] != NULL; i++) {
        json_t *a = json_object_get(plain, members[i]), *b = json_object_get(previous, members[i]);
        if ((a == NULL) != (b == NULL) || (a != NULL && !json_equal(a, b)))
            return 1;
    }
    return 0;
}

json_t *pc_idp_config_seal(const pc_idp_ops *ops, const char *tenant_id, const json_t *plain,
                           const json_t *previous)
{
    /* The provider sealing reads only the secret member names of its ops table. */
    pc_provider_ops shim;

    memset(&shim, 0, sizeof shim);
    shim.secret_fields = ops->secret_fields;
    return pc_provider_config_seal(&shim, tenant_id, plain,
                                   upstream_changed(plain, previous) ? NULL : previous);
}

static const char *no_param(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static void no_error(void *ctx, const char *reason)
{
    (void)ctx;
    (void)reason;
}

/* A slug of [a-z0-9-], 1 to 32 long? */
static int icon_ok(const char *s)
{
    size_t n = s ? strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") : 0;

    return n > 0 && n <= 32 && s[n] == '\0';
}

/* The plugin's description kept to its rules, or a new one from the flags. */
static json_t *checked(const pc_idp_ops *ops, const json_t *d, const char *display_name)
{
    const char *method = json_string_value(json_object_get(d, "method"));
    const char *icon = json_string_value(json_object_get(d, "icon"));
    const char *label = json_string_value(json_object_get(d, "label"));
    int redirect =
        method != NULL && strcmp(method, "redirect") == 0 && (ops->flags & PC_IDP_REDIRECT);
    int directory =
        method != NULL && strcmp(method, "directory") == 0 && (ops->flags & PC_IDP_PASSWORD);
    json_t *out;

    if (!redirect && !directory) { /* no usable description: what the flags say */
        redirect = (ops->flags & PC_IDP_REDIRECT) != 0;
        icon = label = NULL;
    }
    if (label != NULL && (*label == '\0' || strlen(label) > 200))
        label = NULL;
    out = json_pack("{s:s}", "method", redirect ? "redirect" : "directory");
    if (icon_ok(icon))
        json_object_set_new(out, "icon", json_string(icon));
    if (label != NULL)
        json_object_set_new(out, "label", json_string(label));
    else if (redirect)
        json_object_set_new(out, "label", json_sprintf("Sign in with %s", display_name));
    return out;
}

json_t *pc_idp_describe(const char *tenant_id, const json_t *idp)
{
    void *st = NULL;
    const pc_idp_ops *ops = pc_idp_plugin(json_string_value(json_object_get(idp, "kind")), &st);
    const char *display_name = json_string_value(json_object_get(idp, "display_name"));
    json_t *config, *d = NULL, *out;
    pc_idp_call call;

    if (ops == NULL)
        return NULL;
    /* describe() needs no secret: it gets the config without them */
    config = json_is_object(json_object_get(idp, "config"))
                 ? json_deep_copy(json_object_get(idp, "config"))
                 : json_object();
    for (size_t i = 0; ops->secret_fields != NULL && ops->secret_fields[i] != NULL; i++)
        json_object_del(config, ops->secret_fields[i]);
    memset(&call, 0, sizeof call);
    call.struct_size = sizeof call;
    call.tenant_id = tenant_id;
    call.provider = json_string_value(json_object_get(idp, "name"));
    call.config = config;
    call.param = no_param;
    call.error = no_error;
    call.display_name = display_name ? display_name : "";
    if (ops->describe != NULL && ops->describe(st, &call, &d) != PC_OK) {
        json_decref(d);
        d = NULL;
    }
    out = checked(ops, d, call.display_name);
    json_decref(d);
    json_decref(config);
    return out;
}

pc_status pc_idp_find(const char *tenant_id, const char *name, json_t **idp)
{
    if (name == NULL || strlen(name) > 64)
        return PC_ERR_NOT_FOUND;
    return pc_db_get(NULL, PC_ENT_IDENTITY_PROVIDER, tenant_id, "name", name, idp);
}

static pc_status list_by(const char *tenant_id, pc_entity ent, const char *column,
                         const char *value, json_t **rows)
{
    json_t *filters = column ? json_pack("{s:s}", column, value) : NULL;
    pc_store_query q = {.filters = filters, .after = NULL, .limit = MAX_IDPS, .descending = 0};
    pc_status rc = pc_db_list(NULL, ent, tenant_id, &q, rows);

    json_decref(filters);
    return rc;
}

/* The provider name of a provider id among `idps`, or NULL. */
static json_t *name_of(const json_t *idps, const char *provider_id)
{
    size_t i;
    json_t *p;

    json_array_foreach (idps, i, p)
        if (strcmp(json_string_value(json_object_get(p, "id")), provider_id) == 0)
            return json_object_get(p, "name");
    return NULL;
}

/* The identities among `rows` of `user_id` (all of them: NULL), as the user view shows them. */
static json_t *identities_view(const json_t *rows, const json_t *idps, const char *user_id)
{
    json_t *out = json_array(), *r;
    size_t i;

    json_array_foreach (rows, i, r) {
        json_t *name = name_of(idps, json_string_value(json_object_get(r, "provider_id")));
        if (user_id != NULL &&
            strcmp(json_string_value(json_object_get(r, "user_id")), user_id) != 0)
            continue;
        json_array_append_new(
            out, json_pack("{s:O,s:O,s:O,s:O}", "provider", name ? name : json_null(), "subject",
                           json_object_get(r, "subject"), "email", json_object_get(r, "email"),
                           "linked_at", json_object_get(r, "linked_at")));
    }
    return out;
}

json_t *pc_idp_identities_of(const char *tenant_id, const char *user_id)
{
    json_t *rows = NULL, *idps = NULL, *out = NULL;

    if (list_by(tenant_id, PC_ENT_IDENTITY, "user_id", user_id, &rows) != PC_OK)
        goto out;
    if (json_array_size(rows) > 0 &&
        list_by(tenant_id, PC_ENT_IDENTITY_PROVIDER, NULL, NULL, &idps) != PC_OK)
        goto out;
    out = identities_view(rows, idps, NULL);
out:
    json_decref(rows);
    json_decref(idps);
    return out;
}

pc_status pc_idp_page_identities(const char *tenant_id, const json_t *user_ids, json_t **out)
{
    json_t *filters = json_pack("{s:O}", "user_id", user_ids), *rows = NULL, *idps = NULL, *uid;
    pc_store_query q = {.filters = filters,
                        .limit = MAX_IDPS * (unsigned)json_array_size(user_ids)};
    pc_status rc = pc_db_list(NULL, PC_ENT_IDENTITY, tenant_id, &q, &rows);
    size_t i;

    if (rc == PC_OK && json_array_size(rows) > 0)
        rc = list_by(tenant_id, PC_ENT_IDENTITY_PROVIDER, NULL, NULL, &idps);
    *out = rc == PC_OK ? json_object() : NULL;
    json_array_foreach (user_ids, i, uid)
        if (*out != NULL)
            json_object_set_new(*out, json_string_value(uid),
                                identities_view(rows, idps, json_string_value(uid)));
    json_decref(filters);
    json_decref(rows);
    json_decref(idps);
    return rc;
}

pc_status pc_idp_unlink(pc_store_tx *tx, const char *tenant_id, const json_t *user,
                        const char *name, char identity_id[37])
{
    const char *uid = json_string_value(json_object_get(user, "id"));
    json_t *idp = NULL, *rows = NULL, *mine = NULL, *r;
    pc_status rc = pc_idp_find(tenant_id, name, &idp);
    size_t i;

    if (rc == PC_OK)
        rc = list_by(tenant_id, PC_ENT_IDENTITY, "user_id", uid, &rows);
    if (rc != PC_OK)
        goto out;
    json_array_foreach (rows, i, r)
        if (strcmp(json_string_value(json_object_get(r, "provider_id")),
                   json_string_value(json_object_get(idp, "id"))) == 0)
            mine = r;
    if (mine == NULL) {
        rc = PC_ERR_NOT_FOUND;
        goto out;
    }
    /* API.md §14: never remove the last way to sign in. */
    if (json_is_null(json_object_get(user, "password_hash")) && json_array_size(rows) < 2) {
        rc = PC_ERR_DENIED;
        goto out;
    }
    snprintf(identity_id, 37, "%s", json_string_value(json_object_get(mine, "id")));
    rc = pc_db_remove(tx, PC_ENT_IDENTITY, tenant_id, identity_id);
out:
    json_decref(idp);
    json_decref(rows);
    return rc;
}
