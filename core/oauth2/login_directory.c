/* SPDX-License-Identifier: Apache-2.0 */
/* The password step's directories (API.md §14): `ldap` and other password kinds, for people who are not local. */
#include "oauth2/login_directory.h"
#include "oauth2/changes.h"
#include "oauth2/federation_user.h"
#include "oauth2/login.h"
#include "iam/idp.h"
#include "iam/providers.h"
#include "server/store.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIRECTORIES 50

/* What a plugin call reports back: the reason of a failure. */
typedef struct dir_call_ctx {
    char reason[256];
} dir_call_ctx;

static const char *no_param(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static void call_error(void *ctx, const char *reason)
{
    dir_call_ctx *c = ctx;

    snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "");
}

/* The tenant's enabled identity providers (new array, id order), or NULL on a store failure. */
static json_t *enabled_providers(const char *tenant_id)
{
    json_t *filters = json_pack("{s:b}", "enabled", 1), *rows = NULL;
    pc_store_query q = {.filters = filters, .after = NULL, .limit = MAX_DIRECTORIES};
    pc_status rc = pc_db_list(NULL, PC_ENT_IDENTITY_PROVIDER, tenant_id, &q, &rows);

    json_decref(filters);
    return rc == PC_OK ? rows : NULL;
}

/* Is the local user linked to provider `idp`? -1 when the store cannot tell. */
static int linked_to(const char *tenant_id, const json_t *local, const json_t *idp)
{
    json_t *filters =
               json_pack("{s:s,s:s}", "user_id", json_string_value(json_object_get(local, "id")),
                         "provider_id", json_string_value(json_object_get(idp, "id"))),
           *rows = NULL;
    pc_store_query q = {.filters = filters, .after = NULL, .limit = 1};
    pc_status rc = pc_db_list(NULL, PC_ENT_IDENTITY, tenant_id, &q, &rows);
    int linked = rc == PC_OK ? json_array_size(rows) > 0 : -1;

    json_decref(filters);
    json_decref(rows);
    return linked;
}

/* One directory's verdict on the credentials; *id filled on PC_OK. */
static pc_status ask(const pc_login_attempt *a, const json_t *idp, const pc_idp_ops *ops, void *st,
                     pc_idp_identity *id, dir_call_ctx *c)
{
    const char *name = json_string_value(json_object_get(idp, "name"));
    json_t *config = pc_provider_config_open(a->tenant->id, json_object_get(idp, "config"));
    pc_idp_call call = {.struct_size = sizeof(pc_idp_call),
                        .ctx = c,
                        .tenant_id = a->tenant->id,
                        .provider = name,
                        .config = config,
                        .param = no_param,
                        .error = call_error};
    pc_status rc;

    if (config == NULL) {
        pc_log(PC_LOG_ERROR, "identity provider %s: its sealed config does not open", name);
        return PC_ERR_INTERNAL;
    }
    memset(id, 0, sizeof *id);
    id->struct_size = sizeof *id;
    rc = ops->check_password(st, &call, a->username, a->password, id);
    if (rc == PC_OK && (id->subject == NULL || *id->subject == '\0')) {
        pc_log(PC_LOG_WARNING, "identity provider %s: the directory gave no subject", name);
        rc = PC_ERR_DENIED;
    }
    json_decref(config);
    return rc;
}

static void identity_clear(pc_idp_identity *id)
{
    free(id->subject);
    json_decref(id->claims);
    json_decref(id->groups);
    memset(id, 0, sizeof *id);
}

/* The directory knew the person: who they are here (linked, or provisioned), group roles applied. */
static pc_status resolve(const pc_login_attempt *a, const json_t *idp, const pc_idp_identity *id,
                         json_t **user)
{
    pc_fed_who w = {.tenant_id = a->tenant->id,
                    .ip = a->ip,
                    .client_id = a->client_id,
                    .idp = idp,
                    .identity = id};
    pc_status rc = pc_fed_user_resolve(&w, user);

    /* Two first sign-ins at once: the one that lost the link finds the winner's user. */
    if (rc == PC_ERR_CONFLICT)
        rc = pc_fed_user_resolve(&w, user);
    /* The roles the groups gave or took hold at once for this sign-in's tokens on this node. */
    if (rc == PC_OK)
        pc_changes_sync();
    if (rc == PC_ERR_NOT_FOUND || rc == PC_ERR_CONFLICT) {
        /* Without jit, or an email another user holds: the person is not signed in. */
        pc_log(PC_LOG_WARNING, "identity provider %s: %s",
               json_string_value(json_object_get(idp, "name")),
               rc == PC_ERR_NOT_FOUND ? "no linked user and no provisioning"
                                      : "the email of an existing user");
        return PC_ERR_DENIED;
    }
    return rc;
}

/* Ask one provider if it is a directory (and, for a local user, theirs): PC_DECLINED when not. */
static pc_status try_one(const pc_login_attempt *a, const json_t *local, const json_t *idp,
                         json_t **user, pc_login_directory_out *out)
{
    void *st = NULL;
    const pc_idp_ops *ops = pc_idp_plugin(json_string_value(json_object_get(idp, "kind")), &st);
    pc_idp_identity id = {0};
    dir_call_ctx c = {""};
    pc_status rc;
    int linked = local != NULL ? linked_to(a->tenant->id, local, idp) : 1;

    if (linked < 0)
        return PC_ERR_STORAGE;
    if (ops == NULL || !(ops->flags & PC_IDP_PASSWORD) || ops->check_password == NULL || !linked)
        return PC_DECLINED;
    rc = ask(a, idp, ops, st, &id, &c);
    if (rc == PC_OK)
        rc = resolve(a, idp, &id, user);
    if (rc == PC_OK)
        snprintf(out->provider, sizeof out->provider, "%s",
                 json_string_value(json_object_get(idp, "name")));
    if (rc == PC_ERR_UNAVAILABLE || rc == PC_ERR_INVALID || rc == PC_ERR_INTERNAL) {
        /* A directory that cannot be asked decides nothing (the plugin logged why). */
        snprintf(out->reason, sizeof out->reason, "%s", c.reason);
        rc = PC_ERR_UNAVAILABLE;
    }
    identity_clear(&id);
    return rc;
}

pc_status pc_login_directory(const pc_login_attempt *a, const json_t *local, json_t **user,
                             pc_login_directory_out *out)
{
    json_t *idps = enabled_providers(a->tenant->id), *idp;
    pc_status rc = PC_ERR_NOT_FOUND;
    size_t i;
    int unavailable = 0;

    memset(out, 0, sizeof *out);
    if (idps == NULL)
        return PC_ERR_STORAGE;
    json_array_foreach (idps, i, idp) {
        rc = try_one(a, local, idp, user, out);
        unavailable |= rc == PC_ERR_UNAVAILABLE;
        if (rc == PC_OK || rc == PC_ERR_DENIED || rc == PC_ERR_STORAGE)
            break;
        rc = PC_ERR_NOT_FOUND;
    }
    json_decref(idps);
    return rc == PC_ERR_NOT_FOUND && unavailable ? PC_ERR_UNAVAILABLE : rc;
}
