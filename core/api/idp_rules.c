/* SPDX-License-Identifier: Apache-2.0 */
/* What an identity provider's body must be, and who may write one (API.md §14, the two questions). */
#include "api/idp_rules.h"
#include "api/escalation.h"
#include "iam/outrank.h"
#include "server/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static int invalid(pc_req *rq, const char *field, const char *reason)
{
    pc_api_invalid_field(rq, field, reason);
    return 0;
}

static int slug_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > 63 || s[0] == '-' || s[0] == '_')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return 0;
    return 1;
}

/* 1 when the role exists, 0 after replying 400 naming `field`, -1 after replying 503. */
static int role_exists(pc_req *rq, const char *field, const char *name)
{
    json_t *r = NULL;
    pc_status rc =
        name ? pc_db_get(NULL, PC_ENT_ROLE, rq->tenant->id, "name", name, &r) : PC_ERR_NOT_FOUND;

    json_decref(r);
    if (rc == PC_OK)
        return 1;
    if (rc == PC_ERR_NOT_FOUND)
        return invalid(rq, field, "no role of this name");
    pc_api_store_error(rq, rc, NULL);
    return -1;
}

static int roles_ok(pc_req *rq, const json_t *rec)
{
    json_t *v, *groups = json_object_get(json_object_get(rec, "config"), "group_roles");
    const char *key;
    size_t i;
    char *field;
    int ok = 1;

    json_array_foreach (json_object_get(rec, "default_roles"), i, v)
        if (ok == 1)
            ok = role_exists(rq, "default_roles", json_string_value(v));
    if (ok != 1)
        return 0;
    if (groups != NULL && !json_is_object(groups))
        return invalid(rq, "config.group_roles", "must map group names to role names");
    json_object_foreach (groups, key, v) {
        field = pc_asprintf("config.group_roles.%s", key);
        if (ok == 1 && !json_is_string(v))
            ok = invalid(rq, field, "must be a role name");
        else if (ok == 1)
            ok = role_exists(rq, field, json_string_value(v));
        free(field);
    }
    return ok == 1;
}

static int plugin_ok(pc_req *rq, const pc_idp_ops *ops, void *state, const json_t *config)
{
    const char *field = NULL, *problem = NULL;
    char *name;

    if (ops->check_config == NULL || ops->check_config(state, config, &field, &problem) == PC_OK)
        return 1;
    name = pc_asprintf("config%s%s", field ? "." : "", field ? field : "");
    invalid(rq, name, problem ? problem : "is not valid for this kind");
    free(name);
    return 0;
}

int pc_api_idp_valid(pc_req *rq, const pc_idp_ops *ops, void *state, const json_t *rec)
{
    const char *link = json_string_value(json_object_get(rec, "link_by_email"));
    size_t dn = json_string_length(json_object_get(rec, "display_name"));

    if (!slug_ok(json_string_value(json_object_get(rec, "name"))))
        return invalid(rq, "name",
                       "must be 1 to 63 of a-z, 0-9, - and _, not starting with - or _");
    if (dn == 0 || dn > 128)
        return invalid(rq, "display_name", "must be 1 to 128 characters");
    if (link == NULL || (strcmp(link, "never") != 0 && strcmp(link, "verified") != 0))
        return invalid(rq, "link_by_email", "must be never or verified");
    return roles_ok(rq, rec) && plugin_ok(rq, ops, state, json_object_get(rec, "config"));
}

static json_t *granted_roles(const json_t *rec)
{
    json_t *all = json_array(), *v;
    const char *key;
    size_t i;

    json_array_foreach (json_object_get(rec, "default_roles"), i, v)
        json_array_append(all, v);
    json_object_foreach (json_object_get(json_object_get(rec, "config"), "group_roles"), key, v)
        if (json_is_string(v))
            json_array_append(all, v);
    return all;
}

/* 1 if the caller holds users:impersonate; else 0 after replying 403 `why` (503 on the store). */
static int may_impersonate(pc_req *rq, const pc_principal *p, const char *why)
{
    int h = pc_iam_holds(rq->tenant->id, p->id, "users:impersonate");

    if (h < 0) {
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
        return 0;
    }
    if (!h)
        pc_api_error(rq, PC_API_FORBIDDEN, why, NULL);
    return h;
}

int pc_api_may_touch_idp(pc_req *rq, const pc_principal *p, const json_t *rec)
{
    json_t *roles = granted_roles(rec);
    int ok = pc_api_may_grant_roles(rq, p, roles);

    json_decref(roles);
    if (!ok)
        return 0;
    if (!json_is_true(json_object_get(rec, "trust_mfa")) &&
        strcmp(json_string_value(json_object_get(rec, "link_by_email")), "verified") != 0)
        return 1;
    return may_impersonate(rq, p,
                           "Permission users:impersonate is required for a provider that may "
                           "sign in as existing users (link_by_email verified) or that is trusted "
                           "for MFA");
}

/*
 * Config members that do not decide who a subject is: secrets (the upstream stays the same),
 * roles (the first question), tuning. Every other member, a plugin's new ones included, does.
 */
static const char *const not_identity[] = {"client_secret",
                                           "bind_password",
                                           "group_roles",
                                           "groups_claim",
                                           "group_base",
                                           "group_filter",
                                           "scopes",
                                           "timeout",
                                           "pkce",
                                           "token_endpoint_auth_method",
                                           NULL};

static int identity_member(const char *key)
{
    for (size_t i = 0; not_identity[i] != NULL; i++)
        if (strcmp(key, not_identity[i]) == 0)
            return 0;
    return 1;
}

/* Does `after` differ from `before` in a member that decides who a subject is? */
static int redefines(const json_t *before, const json_t *after)
{
    const char *key;
    json_t *v;

    json_object_foreach ((json_t *)before, key, v)
        if (identity_member(key) && !json_equal(v, json_object_get(after, key)))
            return 1;
    json_object_foreach ((json_t *)after, key, v)
        if (identity_member(key) && json_object_get(before, key) == NULL)
            return 1;
    return 0;
}

int pc_api_may_redefine_idp(pc_req *rq, const pc_principal *p, const json_t *stored,
                            const json_t *rec)
{
    json_t *filters, *rows = NULL;
    pc_store_query q = {.after = NULL, .limit = 1, .descending = 0};
    pc_status rc;
    size_t linked;

    if (!redefines(json_object_get(stored, "config"), json_object_get(rec, "config")))
        return 1;
    filters = json_pack("{s:O}", "provider_id", json_object_get(stored, "id"));
    q.filters = filters;
    rc = pc_db_list(NULL, PC_ENT_IDENTITY, rq->tenant->id, &q, &rows);
    linked = json_array_size(rows);
    json_decref(filters);
    json_decref(rows);
    if (rc != PC_OK) {
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
        return 0;
    }
    return linked == 0 ||
           may_impersonate(rq, p,
                           "Permission users:impersonate is required to change who a provider's "
                           "subjects are (its issuer, client, endpoints, directory or subject "
                           "mapping) while identities are linked through it");
}
