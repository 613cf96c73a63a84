/* SPDX-License-Identifier: Apache-2.0 */
/* A page of the user list: the roles, groups, second factors and linked identities its users'
 * views show, asked of the store a few statements per page instead of four per user (on
 * PostgreSQL, 200 round trips for a page of 50: most of the page's time). */
#include "api/users_page.h"
#include "iam/idp.h"
#include "iam/links.h"
#include "iam/mfa.h"
#include "server/store.h"

#include <string.h>

#define CHUNK 100 /* ids per statement, under the stores' 128 */

/* id -> true in `on` for the users of `ids` with an enabled factor (recovery codes are not one). */
static pc_status page_mfa(const char *tenant_id, const json_t *ids, json_t *on)
{
    json_t *filters = json_pack("{s:O,s:s}", "user_id", ids, "state", PC_MFA_ACTIVE), *rows = NULL;
    pc_store_query q = {.filters = filters, .limit = 16 * (unsigned)json_array_size(ids)};
    pc_status rc = pc_db_list(NULL, PC_ENT_MFA, tenant_id, &q, &rows);
    json_t *f;
    size_t i;

    json_array_foreach (rows, i, f) {
        if (strcmp(json_string_value(json_object_get(f, "method")), PC_MFA_RECOVERY) != 0)
            json_object_set(on, json_string_value(json_object_get(f, "user_id")), json_true());
    }
    json_decref(rows);
    json_decref(filters);
    return rc;
}

/* The facts of one chunk of ids, added to the page's maps. */
static pc_status load_chunk(pc_user_page *pg, const json_t *ids)
{
    json_t *roles = NULL, *groups = NULL, *identities = NULL;
    pc_status rc = page_mfa(pg->tenant_id, ids, pg->mfa);

    if (rc == PC_OK)
        rc = pc_iam_page_names(pg->tenant_id, ids, 1, &roles);
    if (rc == PC_OK)
        rc = pc_iam_page_names(pg->tenant_id, ids, 0, &groups);
    if (rc == PC_OK)
        rc = pc_idp_page_identities(pg->tenant_id, ids, &identities);
    if (rc == PC_OK) {
        json_object_update(pg->roles, roles);
        json_object_update(pg->groups, groups);
        json_object_update(pg->identities, identities);
    }
    json_decref(roles);
    json_decref(groups);
    json_decref(identities);
    return rc;
}

int pc_user_page_load(pc_user_page *pg, const char *tenant_id, const json_t *rows, size_t n)
{
    pc_status rc = PC_OK;

    *pg = (pc_user_page){.tenant_id = tenant_id,
                         .roles = json_object(),
                         .groups = json_object(),
                         .identities = json_object(),
                         .mfa = json_object()};
    if (n > json_array_size(rows))
        n = json_array_size(rows);
    for (size_t at = 0; rc == PC_OK && at < n; at += CHUNK) {
        json_t *ids = json_array();
        for (size_t i = at; i < at + CHUNK && i < n; i++)
            json_array_append(ids, json_object_get(json_array_get(rows, i), "id"));
        rc = load_chunk(pg, ids);
        json_decref(ids);
    }
    if (rc == PC_OK)
        return 1;
    pc_user_page_clear(pg);
    return 0;
}

void pc_user_page_clear(pc_user_page *pg)
{
    json_decref(pg->roles);
    json_decref(pg->groups);
    json_decref(pg->identities);
    json_decref(pg->mfa);
    *pg = (pc_user_page){.tenant_id = pg->tenant_id}; /* the views ask per user */
}
