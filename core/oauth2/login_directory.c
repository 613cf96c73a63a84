/* SPDX-License-Identifier: Apache-2.0 */
/* The password step asks the tenant's directories (idp plugins with PC_IDP_PASSWORD) about names that are not local. */
#include "oauth2/login_directory.h"
#include "oauth2/federation_user.h"
#include "iam/idp.h"
#include "iam/providers.h"
#include "server/store.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DIRECTORIES 20

typedef struct dir_ctx {
    char reason[256];
} dir_ctx;

static const char *no_param(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static void dir_error(void *ctx, const char *reason)
{
    snprintf(((dir_ctx *)ctx)->reason, sizeof((dir_ctx *)ctx)->reason, "%s", reason ? reason : "");
}

/* One directory's verdict on the attempt; *id filled on PC_OK. */
static pc_status ask(const pc_login_attempt *a, const json_t *idp, const pc_idp_ops *ops, void *st,
                     pc_idp_identity *id)
{
    dir_ctx c = {.reason = ""};
    json_t *config = pc_provider_config_open(a->tenant->id, json_object_get(idp, "config"));
    pc_idp_call call = {.struct_size = sizeof call,
                        .ctx = &c,
                        .tenant_id = a->tenant->id,
                        .provider = json_string_value(json_object_get(idp, "name")),
                        .config = config,
                        .param = no_param,
                        .error = dir_error};
    pc_status rc;

    memset(id, 0, sizeof *id); /* cleared by the caller on every path */
    id->struct_size = sizeof *id;
    if (config == NULL) { /* said as such: not a directory that is down */
        pc_warn("directory sign-in failed: tenant=%s provider=%s reason=\"%s\"", a->tenant->slug,
                call.provider, PC_FED_UNSEALABLE);
        return PC_ERR_INTERNAL;
    }
    rc = ops->check_password(st, &call, a->username, a->password, id);
    if (rc == PC_OK && (id->subject == NULL || *id->subject == '\0'))
        rc = PC_ERR_DENIED;
    /* a directory that could not be asked for a reason of its own (a config that breaks a rule)
     * says nothing about the person's password: "not configured correctly" */
    if (rc != PC_OK && rc != PC_ERR_NOT_FOUND && rc != PC_ERR_DENIED && rc != PC_ERR_UNAVAILABLE)
        rc = PC_ERR_INTERNAL;
    if (rc != PC_OK && rc != PC_ERR_NOT_FOUND)
        pc_warn("directory sign-in failed: tenant=%s provider=%s status=%s reason=\"%s\"",
                a->tenant->slug, call.provider, pc_status_str(rc), c.reason);
    json_decref(config);
    return rc;
}

/* Why nobody here may be the person whose password a directory took (API.md §14). */
static const struct {
    pc_status rc;
    const char *log, *person;
} refusals[] = {
    {PC_ERR_NOT_FOUND, "no linked user and no provisioning",
     "Your directory account is not linked to an account here. Ask your administrator to give "
     "you access."},
    {PC_ERR_CONFLICT, "email of an existing user",
     "An account here already uses the email address of your directory account, so none was "
     "created for you. Ask your administrator to link the two."},
    {PC_ERR_LIMIT, "max_users reached",
     "This organisation cannot take more accounts. Ask your administrator."},
    {PC_ERR_INVALID, "a default role no longer exists",
     "The sign-in with your directory account is not configured correctly. Tell your "
     "administrator."},
    {PC_ERR_DENIED, "account disabled, frozen or deleted",
     "This account is disabled. Ask your administrator."},
};

/* The person a directory vouched for, as a user here; PC_ERR_CONFLICT with *refusal (for the
 * person) and *reason (for the audit) when none. */
static pc_status resolve(const pc_login_attempt *a, const json_t *idp, const pc_idp_identity *id,
                         json_t **user, const char **refusal, const char **reason)
{
    pc_fed_who w = {.tenant_id = a->tenant->id,
                    .ip = a->ip,
                    .client_id = a->client_id,
                    .idp = idp,
                    .identity = id,
                    .max_users = a->tenant->max_users};
    const char *step = NULL;
    pc_status rc = pc_fed_user_resolve(&w, user, &step);

    /* the password was right, so the person hears why they cannot sign in */
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        if (rc != refusals[i].rc)
            continue;
        pc_warn("directory sign-in refused: tenant=%s provider=%s reason=\"%s\"", a->tenant->slug,
                json_string_value(json_object_get(idp, "name")), refusals[i].log);
        json_decref(*user); /* a disabled user comes back (PC_ERR_DENIED): nobody signs in */
        *user = NULL;
        *refusal = refusals[i].person;
        *reason = refusals[i].log;
        return PC_ERR_CONFLICT;
    }
    if (rc == PC_ERR_STORAGE)
        pc_warn("directory sign-in failed: tenant=%s provider=%s reason=\"the store failed while "
                "%s (%s)\"",
                a->tenant->slug, json_string_value(json_object_get(idp, "name")),
                step ? step : "finding the user", pc_status_str(rc));
    return rc;
}

static void identity_clear(pc_idp_identity *id)
{
    free(id->subject);
    json_decref(id->claims);
    json_decref(id->groups);
    memset(id, 0, sizeof *id);
}

pc_status pc_login_directory(const pc_login_attempt *a, json_t **user, char provider[64],
                             const char **refusal, const char **reason)
{
    json_t *filters = json_pack("{s:b}", "enabled", 1), *rows = NULL, *r;
    pc_store_query q = {.filters = filters, .limit = MAX_DIRECTORIES};
    pc_status rc = pc_db_list(NULL, PC_ENT_IDENTITY_PROVIDER, a->tenant->id, &q, &rows), best;
    size_t i;

    json_decref(filters);
    if (rc != PC_OK)
        return rc;
    best = PC_ERR_NOT_FOUND;
    json_array_foreach (rows, i, r) {
        void *st = NULL;
        const pc_idp_ops *ops = pc_idp_plugin(json_string_value(json_object_get(r, "kind")), &st);
        pc_idp_identity id;
        if (ops == NULL || !(ops->flags & PC_IDP_PASSWORD) || best == PC_ERR_DENIED)
            continue;
        rc = ask(a, r, ops, st, &id);
        if (rc == PC_OK) {
            rc = resolve(a, r, &id, user, refusal, reason);
            snprintf(provider, 64, "%s", json_string_value(json_object_get(r, "name")));
            identity_clear(&id);
            json_decref(rows);
            return rc;
        }
        identity_clear(&id);
        /* a wrong password decides; a directory not asked (down, or misconfigured here)
         * answers only when no other one knows the name */
        if (rc == PC_ERR_DENIED ||
            ((rc == PC_ERR_UNAVAILABLE || rc == PC_ERR_INTERNAL) && best == PC_ERR_NOT_FOUND))
            best = rc;
    }
    json_decref(rows);
    return best;
}
