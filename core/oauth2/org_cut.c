/* SPDX-License-Identifier: Apache-2.0 */
/* A removed membership (API.md §18): every token of that user scoped to that organization stops at once, on every node. */
#include "oauth2/org_cut.h"
#include "oauth2/changes.h"
#include "server/store.h"

#include <stdio.h>

/* Rows touched a page at a time when a membership ends. */
#define CUT_PAGE 200

/* Each live row of `ent` of the user bound to the organization, handed to `fn`. */
static pc_status each_bound(pc_store_tx *tx, const pc_tenant *t, pc_entity ent, const char *user_id,
                            const char *org_id,
                            pc_status (*fn)(pc_store_tx *, const pc_tenant *, const char *))
{
    json_t *filters = json_pack("{s:s,s:s}", "user_id", user_id, "org_id", org_id);
    pc_store_query q = {.filters = filters, .limit = CUT_PAGE};
    json_t *rows = NULL, *r;
    size_t i;
    pc_status rc = pc_db_list(tx, ent, t->id, &q, &rows);

    json_array_foreach (rows, i, r)
        if (rc == PC_OK)
            rc = fn(tx, t, json_string_value(json_object_get(r, "id")));
    json_decref(rows);
    json_decref(filters);
    return rc;
}

static pc_status revoke_grant(pc_store_tx *tx, const pc_tenant *t, const char *id)
{
    return PC_DB->refresh_revoke(PC_DBS, tx, t->id, "id", id, pc_now(), NULL);
}

static pc_status forget_choice(pc_store_tx *tx, const pc_tenant *t, const char *sid)
{
    json_t *patch = json_pack("{s:n}", "org_id");
    pc_status rc = pc_db_update(tx, PC_ENT_SESSION, t->id, sid, patch, NULL, 0);

    json_decref(patch);
    return rc == PC_ERR_NOT_FOUND ? PC_OK : rc;
}

pc_status pc_org_member_cut(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                            const char *org_id)
{
    int64_t longest = t->access_ttl > t->refresh_ttl ? t->access_ttl : t->refresh_ttl;
    char key[128];
    pc_status rc;

    snprintf(key, sizeof key, "%s:%s", user_id, org_id);
    /* The entry lives as long as anything issued before it could. */
    rc = pc_change_write(tx, t->id, "member", key, pc_now() + longest + 60);
    if (rc == PC_OK)
        rc = each_bound(tx, t, PC_ENT_REFRESH, user_id, org_id, revoke_grant);
    if (rc == PC_OK)
        rc = each_bound(tx, t, PC_ENT_SESSION, user_id, org_id, forget_choice);
    return rc;
}
