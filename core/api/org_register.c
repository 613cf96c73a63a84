/* SPDX-License-Identifier: Apache-2.0 */
/* Registration with an organization (API.md §18): the new user becomes its first member. */
#include "api/orgs_api.h"
#include "api/users.h"
#include "iam/links.h"
#include "iam/orgs.h"
#include "server/store.h"
#include "util/crypto.h"

#include <string.h>

static int open_for_organizations(const pc_tenant *t)
{
    const char *v = json_string_value(json_object_get(t->settings, "organization_registration"));

    return v != NULL && strcmp(v, "open") == 0;
}

int pc_api_org_register_check(pc_req *rq, const json_t *org)
{
    const char *slug = json_string_value(json_object_get(org, "slug"));
    const char *name = json_string_value(json_object_get(org, "name"));
    const char *key;
    json_t *v;

    if (org == NULL)
        return 1;
    if (!open_for_organizations(rq->tenant)) {
        pc_api_invalid_field(rq, "organization",
                             "registration with an organization is closed in this tenant");
        return 0;
    }
    json_object_foreach ((json_t *)org, key, v)
        if (strcmp(key, "slug") != 0 && strcmp(key, "name") != 0) {
            pc_api_error(rq, PC_API_UNEXPECTED_FIELDS, "Unexpected fields",
                         json_pack("{s:s}", "organization.unexpected", key));
            return 0;
        }
    if (slug == NULL || !pc_org_slug_valid(slug))
        pc_api_invalid_field(rq, "organization.slug", "must match ^[a-z0-9][a-z0-9-]{0,62}$");
    else if (name == NULL || *name == '\0' || strlen(name) > 200)
        pc_api_invalid_field(rq, "organization.name", "must be 1 to 200 characters");
    else
        return 1;
    return 0;
}

/* The ids of the owner roles that exist (a role deleted since the setting is skipped). */
static json_t *owner_role_ids(const pc_tenant *t)
{
    json_t *ids = NULL, *unknown = NULL;

    if (pc_org_role_ids(t->id, json_object_get(t->settings, "organization_owner_roles"), &ids,
                        &unknown) != PC_OK) {
        json_decref(ids);
        ids = NULL;
    }
    json_decref(unknown);
    return ids;
}

pc_status pc_api_org_register_create(pc_store_tx *tx, pc_req *rq, const pc_principal *self,
                                     const char *user_id, const json_t *org, char *conflict,
                                     size_t len)
{
    json_int_t now = pc_now();
    char oid[37], mid[37];
    json_t *roles = owner_role_ids(rq->tenant), *o, *m;
    pc_status rc = roles ? PC_OK : PC_ERR_STORAGE;

    pc_uuid7(oid);
    pc_uuid7(mid);
    o = json_pack("{s:s,s:s,s:O,s:O,s:n,s:I,s:I}", "id", oid, "tenant_id", rq->tenant->id, "slug",
                  json_object_get(org, "slug"), "name", json_object_get(org, "name"), "logo_url",
                  "created_at", now, "updated_at", now);
    m = json_pack("{s:s,s:s,s:s,s:s,s:O,s:I,s:I}", "id", mid, "tenant_id", rq->tenant->id,
                  "organization_id", oid, "user_id", user_id, "roles", roles ? roles : json_null(),
                  "created_at", now, "updated_at", now);
    if (rc == PC_OK)
        rc = pc_db_insert(tx, PC_ENT_ORGANIZATION, o, conflict, len);
    if (rc == PC_OK)
        rc = pc_db_insert(tx, PC_ENT_MEMBERSHIP, m, NULL, 0);
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, self, "organization.created", oid,
                          json_pack("{s:O,s:O}", "slug", json_object_get(org, "slug"), "name",
                                    json_object_get(org, "name")));
    if (rc == PC_OK)
        rc = pc_api_audit(
            tx, rq, self, "member.added", oid,
            json_pack("{s:s,s:O}", "user_id", user_id, "roles", roles ? roles : json_null()));
    json_decref(o);
    json_decref(m);
    json_decref(roles);
    return rc;
}
