/* SPDX-License-Identifier: Apache-2.0 */
/* Consent (OIDC Core §3.1.2.4): which scopes a person approved for a client, kept per user. */
#include "oauth2/consent.h"
#include "oauth2/changes.h"
#include "oauth2/refresh.h"
#include "oidc/claims.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONSENTS 1000

char *pc_scope_minus(const char *scope, const char *granted)
{
    char *copy = pc_strdup(scope ? scope : ""), *item, *save = NULL;
    char *out = pc_malloc(strlen(copy) + 1);
    size_t len = 0;

    out[0] = '\0';
    for (item = strtok_r(copy, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
        size_t n = strlen(item);
        if (granted != NULL && pc_scope_has(granted, item))
            continue;
        if (len > 0)
            out[len++] = ' ';
        memcpy(out + len, item, n + 1);
        len += n;
    }
    free(copy);
    return out;
}

pc_status pc_consent_get(const pc_tenant *t, const char *user_id, const char *client_id,
                         json_t **out)
{
    json_t *filters, *list = NULL;
    pc_store_query q = {.limit = 1};
    pc_status rc;

    *out = NULL;
    if (user_id == NULL || client_id == NULL)
        return PC_ERR_NOT_FOUND;
    filters = json_pack("{s:s,s:s}", "user_id", user_id, "client_id", client_id);
    q.filters = filters;
    rc = pc_db_list(NULL, PC_ENT_CONSENT, t->id, &q, &list);
    json_decref(filters);
    if (rc == PC_OK && json_array_size(list) == 0)
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        *out = json_incref(json_array_get(list, 0));
    json_decref(list);
    return rc == PC_OK || rc == PC_ERR_NOT_FOUND ? rc : PC_ERR_STORAGE;
}

pc_authz_consent pc_consent_check(const pc_tenant *t, const char *user_id, const char *client_id,
                                  const char *scope, char **missing)
{
    json_t *rec = NULL;
    pc_status rc = pc_consent_get(t, user_id, client_id, &rec);
    char *more;
    pc_authz_consent why;

    if (missing != NULL)
        *missing = NULL;
    if (rc == PC_ERR_STORAGE)
        return PC_AUTHZ_CONSENT_UNKNOWN;
    more = pc_scope_minus(scope, json_string_value(json_object_get(rec, "scope")));
    why = rec == NULL ? PC_AUTHZ_CONSENT_NONE
                      : (*more == '\0' ? PC_AUTHZ_CONSENT_COVERED : PC_AUTHZ_CONSENT_MORE);
    json_decref(rec);
    if (why != PC_AUTHZ_CONSENT_COVERED && missing != NULL)
        *missing = more;
    else
        free(more);
    return why;
}

static pc_status insert(const pc_tenant *t, const char *user_id, const char *client_id,
                        const char *scope)
{
    char id[37];
    json_int_t now = pc_now();
    json_t *rec;
    pc_status rc;

    pc_uuid7(id);
    rec =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", id, "tenant_id", t->id, "user_id", user_id,
                  "client_id", client_id, "scope", scope, "created_at", now, "updated_at", now);
    rc = pc_db_insert(NULL, PC_ENT_CONSENT, rec, NULL, 0);
    json_decref(rec);
    return rc;
}

pc_status pc_consent_grant(const pc_tenant *t, const char *user_id, const char *client_id,
                           const char *scope)
{
    json_t *old = NULL, *patch;
    const char *granted;
    char *more, *all;
    pc_status rc;

    for (int attempt = 0; attempt < 2; attempt++) {
        rc = pc_consent_get(t, user_id, client_id, &old);
        if (rc != PC_ERR_NOT_FOUND)
            break;
        rc = insert(t, user_id, client_id, scope ? scope : "");
        /* Two approvals at once: the loser adds its scopes to the winner's row. */
        if (rc != PC_ERR_CONFLICT)
            return rc;
    }
    if (rc != PC_OK)
        return rc;
    /* The scopes approved before stay approved: the new consent is their union. */
    granted = json_string_value(json_object_get(old, "scope"));
    more = pc_scope_minus(scope, granted);
    all = granted && *granted ? pc_asprintf("%s%s%s", granted, *more ? " " : "", more)
                              : pc_strdup(more);
    patch = json_pack("{s:s,s:I}", "scope", all, "updated_at", (json_int_t)pc_now());
    rc = pc_db_update(NULL, PC_ENT_CONSENT, t->id, json_string_value(json_object_get(old, "id")),
                      patch, NULL, 0);
    json_decref(patch);
    json_decref(old);
    free(more);
    free(all);
    return rc;
}

pc_status pc_consent_list(const pc_tenant *t, const char *user_id, json_t **out)
{
    json_t *filters = json_pack("{s:s}", "user_id", user_id);
    pc_store_query q = {.filters = filters, .limit = MAX_CONSENTS};
    pc_status rc = pc_db_list(NULL, PC_ENT_CONSENT, t->id, &q, out);

    json_decref(filters);
    return rc;
}

pc_status pc_consent_revoke(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                            const char *client_id)
{
    json_t *rec = NULL;
    int64_t longest = t->access_ttl > t->refresh_ttl ? t->access_ttl : t->refresh_ttl;
    char pair[128];
    pc_status rc = pc_consent_get(t, user_id, client_id, &rec);

    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_CONSENT, t->id, json_string_value(json_object_get(rec, "id")));
    json_decref(rec);
    /* Tokens without a refresh grant too (a code or device grant's): every one the client
     * holds of the user, issued up to now, stops on every node; the entry lives as long as
     * anything issued before it could. */
    snprintf(pair, sizeof pair, "%s:%s", user_id, client_id);
    if (rc == PC_OK)
        rc = pc_change_write(tx, t->id, "consent", pair, pc_now() + longest + 60);
    return rc;
}

pc_status pc_consent_revoke_grants(const pc_tenant *t, const char *user_id, const char *client_id)
{
    json_t *filters = json_pack("{s:s,s:s}", "user_id", user_id, "client_id", client_id), *rows;
    pc_store_query q = {.filters = filters, .limit = MAX_CONSENTS};
    pc_status rc = pc_db_list(NULL, PC_ENT_REFRESH, t->id, &q, &rows);
    size_t i;
    json_t *g;

    json_decref(filters);
    if (rc != PC_OK)
        return rc;
    json_array_foreach (rows, i, g)
        if (json_is_null(json_object_get(g, "revoked_at")) && rc == PC_OK)
            rc = pc_refresh_revoke_family(t, json_string_value(json_object_get(g, "id")));
    json_decref(rows);
    return rc;
}
