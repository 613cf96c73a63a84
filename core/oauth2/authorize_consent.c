/* SPDX-License-Identifier: Apache-2.0 */
/* Consent in a browser session: which scopes a client was allowed, and the one-time nonce of each consent form. */
#include "oauth2/authorize_internal.h"
#include "oidc/claims.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define NONCE_BYTES 32
#define MAX_NONCE_LEN 64

/* The session's consent entry for client_id ({"client_id","scope"}, schema 5), or NULL. */
static const json_t *consent_of(const json_t *session, const char *client_id)
{
    size_t i;
    json_t *v;

    json_array_foreach (json_object_get(session, "consents"), i, v) {
        const char *id = json_string_value(json_object_get(v, "client_id"));
        if (id != NULL && client_id != NULL && strcmp(id, client_id) == 0)
            return v;
    }
    return NULL;
}

/* The items of `scope` that are not in `granted`, space-separated (new; "" when none). */
static char *scope_minus(const char *scope, const char *granted)
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

pc_authz_consent pc_authz_consent_check(const json_t *session, const char *client_id,
                                        const char *scope, char **missing)
{
    const json_t *c = consent_of(session, client_id);
    const char *granted = json_string_value(json_object_get(c, "scope"));
    char *more = scope_minus(scope, granted);

    if (c != NULL && *more == '\0') {
        free(more);
        if (missing != NULL)
            *missing = NULL;
        return PC_AUTHZ_CONSENT_COVERED;
    }
    if (missing != NULL)
        *missing = more;
    else
        free(more);
    return c == NULL ? PC_AUTHZ_CONSENT_NONE : PC_AUTHZ_CONSENT_MORE;
}

pc_status pc_browser_session_consent(const pc_tenant *t, const json_t *session,
                                     const char *client_id, const char *scope)
{
    const json_t *old = consent_of(session, client_id);
    const char *granted = json_string_value(json_object_get(old, "scope"));
    char *more = scope_minus(scope, granted), *all;
    json_t *list = json_array(), *patch, *v;
    size_t i;
    pc_status rc;

    /* The scopes approved before stay approved: the new consent is their union. */
    all = granted && *granted ? pc_asprintf("%s%s%s", granted, *more ? " " : "", more)
                              : pc_strdup(more);
    json_array_foreach (json_object_get(session, "consents"), i, v)
        if (v != old && json_is_object(v))
            json_array_append(list, v);
    json_array_append_new(list, json_pack("{s:s,s:s}", "client_id", client_id, "scope", all));
    patch = json_pack("{s:o}", "consents", list);
    rc = pc_db_update(NULL, PC_ENT_SESSION, t->id,
                      json_string_value(json_object_get(session, "id")), patch, NULL, 0);
    json_decref(patch);
    free(more);
    free(all);
    return rc;
}

char *pc_authz_consent_nonce_issue(const pc_tenant *t)
{
    char *nonce = pc_random_token(NONCE_BYTES), *hash = pc_sha256_hex(nonce);
    json_int_t now = pc_now();
    json_t *rec = json_pack("{s:s,s:s,s:I,s:I}", "id", hash, "tenant_id", t->id, "created_at", now,
                            "expires_at", now + PC_AUTHZ_FORM_TTL);
    pc_status rc = pc_db_insert(NULL, PC_ENT_CONSENT_NONCE, rec, NULL, 0);

    json_decref(rec);
    free(hash);
    /* Forms nobody used are of no further use once their sealed request has expired. */
    PC_DB->expire(PC_DBS, PC_ENT_CONSENT_NONCE, "expires_at", now);
    if (rc != PC_OK) {
        pc_free_secret(nonce);
        return NULL;
    }
    return nonce;
}

pc_status pc_authz_consent_nonce_take(const pc_tenant *t, const char *nonce)
{
    char *hash;
    pc_status rc;

    if (nonce == NULL || *nonce == '\0' || strlen(nonce) > MAX_NONCE_LEN)
        return PC_ERR_NOT_FOUND;
    hash = pc_sha256_hex(nonce);
    /* One DELETE decides: of two posts of one form, only the first removes the row. */
    rc = pc_db_remove(NULL, PC_ENT_CONSENT_NONCE, t->id, hash);
    free(hash);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
}
