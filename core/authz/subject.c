/* SPDX-License-Identifier: Apache-2.0 */
/* What a decision knows of its subject: the stored user or application, its roles and groups, cached. */
#include "authz/authz.h"
#include "authz/subject.h"
#include "iam/links.h"
#include "oauth2/changes.h"
#include "server/store.h"
#include "util/bcache.h"

#include <stdio.h>
#include <string.h>

#define CACHE_BYTES (4u << 20)
/* Changes are announced ("perm", "user", "subject" entries); this bounds what is missed. */
#define FACTS_TTL 30

static pc_bcache *facts_cache;

static pc_status describe(const char *tenant_id, const json_t *rec, int is_user, json_t **facts)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    json_t *roles = NULL, *groups = NULL, *attrs = json_object_get(rec, "attributes");
    pc_status rc = PC_DB->principal_roles(PC_DBS, NULL, tenant_id, id, &roles);

    if (rc == PC_OK && is_user)
        rc = pc_iam_group_names_get(tenant_id, id, &groups);
    if (rc != PC_OK) {
        json_decref(roles);
        json_decref(groups);
        return PC_ERR_STORAGE;
    }
    *facts =
        json_pack("{s:s,s:s,s:o,s:o,s:O}", "id", id, "kind", is_user ? "user" : "application",
                  "roles", roles ? roles : json_array(), "groups", groups ? groups : json_array(),
                  "attributes", json_is_object(attrs) ? attrs : json_object());
    if (is_user) {
        json_object_set(*facts, "username", json_object_get(rec, "username"));
        json_object_set(*facts, "email", json_object_get(rec, "email"));
    } else {
        json_object_set(*facts, "client_id", json_object_get(rec, "client_id"));
    }
    return PC_OK;
}

static pc_status lookup(const char *tenant_id, const char *type, const char *ident, json_t **facts)
{
    static const struct {
        pc_entity ent;
        const char *field;
    } ways[] = {{PC_ENT_USER, "id"},
                {PC_ENT_USER, "username"},
                {PC_ENT_USER, "email"},
                {PC_ENT_APPLICATION, "client_id"},
                {PC_ENT_APPLICATION, "id"}};
    json_t *rec = NULL;
    pc_status rc;

    for (size_t i = 0; i < sizeof ways / sizeof *ways; i++) {
        int is_user = ways[i].ent == PC_ENT_USER;
        if (type != NULL && strcmp(type, is_user ? "user" : "application") != 0)
            continue;
        rc = pc_db_get(NULL, ways[i].ent, tenant_id, ways[i].field, ident, &rec);
        if (rc == PC_ERR_STORAGE)
            return rc;
        if (rc == PC_OK && (!is_user || json_is_null(json_object_get(rec, "deleted_at")))) {
            rc = describe(tenant_id, rec, is_user, facts);
            json_decref(rec);
            return rc;
        }
        json_decref(rec);
        rec = NULL;
    }
    return PC_ERR_NOT_FOUND;
}

pc_status pc_pdp_subject(const char *tenant_id, const char *type, const char *ident, json_t **facts)
{
    char key[400];
    pc_status rc;

    *facts = NULL;
    if (ident == NULL || *ident == '\0' || strlen(ident) > 320)
        return PC_ERR_NOT_FOUND;
    snprintf(key, sizeof key, "%s/%s/%s", tenant_id, type ? type : "", ident);
    if ((*facts = pc_bcache_get(facts_cache, key, pc_now())) != NULL)
        return PC_OK;
    rc = lookup(tenant_id, type, ident, facts);
    if (rc == PC_OK)
        pc_bcache_put(facts_cache, key, *facts, pc_now() + FACTS_TTL, pc_now());
    return rc;
}

pc_status pc_pdp_subject_changed(pc_store_tx *tx, const char *tenant_id, const char *user_id)
{
    return pc_change_write(tx, tenant_id, "subject", user_id, pc_now() + FACTS_TTL);
}

void pc_pdp_subjects_forget(const char *tenant_id)
{
    char prefix[64];

    if (tenant_id == NULL) {
        pc_bcache_clear(facts_cache);
        return;
    }
    snprintf(prefix, sizeof prefix, "%s/", tenant_id);
    pc_bcache_remove(facts_cache, prefix, 1);
}

void pc_pdp_subjects_init(void)
{
    if (facts_cache == NULL)
        facts_cache = pc_bcache_new("authz_subject",
                                    pc_srv ? (size_t)pc_srv->cfg.subject_cache_bytes : CACHE_BYTES);
}

void pc_pdp_subjects_shutdown(void)
{
    pc_bcache_free(facts_cache);
    facts_cache = NULL;
}
