/* SPDX-License-Identifier: Apache-2.0 */
/* /policies: allow and deny rules with conditions (API.md §15), checked in full when written. */
#include "api/escalation.h"
#include "api/resource.h"
#include "api/users.h"
#include "authz/expr.h"
#include "iam/links.h"
#include "iam/permissions.h"
#include "server/store.h"
#include "util/crypto.h"

#include <stdio.h>
#include <string.h>

static json_t *policy_view(const json_t *r, void *tenant_id)
{
    (void)tenant_id;
    return json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:o,s:o}", "id", json_object_get(r, "id"),
                     "name", json_object_get(r, "name"), "description",
                     json_object_get(r, "description"), "effect", json_object_get(r, "effect"),
                     "actions", json_object_get(r, "actions"), "principals",
                     json_object_get(r, "principals"), "condition", json_object_get(r, "condition"),
                     "created_at", pc_api_time(json_object_get(r, "created_at")), "updated_at",
                     pc_api_time(json_object_get(r, "updated_at")));
}

static const pc_field policy_fields[] = {
    {"name", PC_F_STRING, 1},       {"description", PC_F_NULLABLE_STRING, 0},
    {"effect", PC_F_STRING, 1},     {"actions", PC_F_STRINGS, 1},
    {"principals", PC_F_OBJECT, 0}, {"condition", PC_F_OBJECT, 0}};
#define NFIELDS (sizeof policy_fields / sizeof *policy_fields)

/* Every name in principals.<key> must name a record of `ent` (by `field`). */
static int known_names(pc_req *rq, const json_t *principals, const char *key, pc_entity ent,
                       const char *field)
{
    json_t *list = json_object_get(principals, key), *v, *rec;
    char path[64];
    size_t i;
    pc_status rc;

    snprintf(path, sizeof path, "principals.%s", key);
    if (list != NULL && !json_is_array(list))
        return pc_api_invalid_field(rq, path, "must be a list"), 0;
    json_array_foreach (list, i, v) {
        rec = NULL;
        rc = json_is_string(v)
                 ? pc_db_get(NULL, ent, rq->tenant->id, field, json_string_value(v), &rec)
                 : PC_ERR_NOT_FOUND;
        json_decref(rec);
        if (rc == PC_ERR_STORAGE)
            return pc_api_store_error(rq, rc, NULL), 0;
        if (rc != PC_OK) {
            snprintf(path, sizeof path, "principals.%s[%zu]", key, i);
            return pc_api_invalid_field(rq, path, "unknown"), 0;
        }
    }
    return 1;
}

static int valid_principals(pc_req *rq, const json_t *principals)
{
    const char *k;
    json_t *v;

    json_object_foreach ((json_t *)principals, k, v) {
        if (strcmp(k, "roles") != 0 && strcmp(k, "groups") != 0 && strcmp(k, "users") != 0) {
            pc_api_error(rq, PC_API_UNEXPECTED_FIELDS, "principals holds roles, groups, users",
                         json_pack("{s:s}", "principals", "unexpected key"));
            return 0;
        }
    }
    return known_names(rq, principals, "roles", PC_ENT_ROLE, "name") &&
           known_names(rq, principals, "groups", PC_ENT_GROUP, "name") &&
           known_names(rq, principals, "users", PC_ENT_USER, "id");
}

static int valid_actions(pc_req *rq, const json_t *actions)
{
    char path[32];
    size_t i;
    json_t *v;

    json_array_foreach (actions, i, v) {
        if (!pc_perm_valid(json_string_value(v))) {
            snprintf(path, sizeof path, "actions[%zu]", i);
            return pc_api_invalid_field(rq, path, "must be resource:action"), 0;
        }
    }
    return 1;
}

/* Value checks on what the body sets: name, effect, actions, principals, condition. */
static int valid_policy(pc_req *rq, const json_t *body)
{
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *effect = json_string_value(json_object_get(body, "effect"));
    const json_t *actions = json_object_get(body, "actions");
    const json_t *cond = json_object_get(body, "condition");
    char why[200];
    pc_expr *e;

    if (name != NULL && (*name == '\0' || strlen(name) > 128))
        return pc_api_invalid_field(rq, "name", "must be 1 to 128 characters"), 0;
    if (effect != NULL && strcmp(effect, "allow") != 0 && strcmp(effect, "deny") != 0)
        return pc_api_invalid_field(rq, "effect", "must be allow or deny"), 0;
    if (actions != NULL && json_array_size(actions) == 0)
        return pc_api_invalid_field(rq, "actions", "must name at least one resource:action"), 0;
    if (actions != NULL && json_array_size(actions) > 100)
        return pc_api_invalid_field(rq, "actions", "at most 100"), 0;
    if (actions != NULL && !valid_actions(rq, actions))
        return 0;
    if (cond != NULL) {
        /* API.md §15: a bad expression is refused here, never at check time */
        if ((e = pc_pdp_expr_compile(cond, why, sizeof why)) == NULL)
            return pc_api_invalid_field(rq, "condition", why), 0;
        pc_pdp_expr_free(e);
    }
    return json_object_get(body, "principals") == NULL ||
           valid_principals(rq, json_object_get(body, "principals"));
}

static json_t *principals_of(const json_t *given)
{
    json_t *p = json_pack("{s:[],s:[],s:[]}", "roles", "groups", "users");

    if (json_is_object(given))
        json_object_update_existing(p, (json_t *)given);
    return p;
}

static pc_status save_policy(pc_req *rq, const pc_principal *p, const json_t *rec, int create,
                             const json_t *cols, char *conflict)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = create ? pc_db_insert(tx, PC_ENT_POLICY, rec, conflict, 64)
                    : pc_db_update(tx, PC_ENT_POLICY, rq->tenant->id, id, cols, conflict, 64);
    if (rc == PC_OK) /* every node recompiles the tenant's policies */
        rc = pc_iam_permissions_changed(tx, rq->tenant->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, create ? "policy.created" : "policy.updated", id,
                          json_pack("{s:O,s:O,s:O}", "name", json_object_get(rec, "name"), "effect",
                                    json_object_get(rec, "effect"), "actions",
                                    json_object_get(rec, "actions")));
    return pc_api_finish(tx, rc);
}

void pc_api_policies_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL;
    char id[37], conflict[64] = "";
    json_int_t now = pc_now();
    pc_status rc;

    if (!pc_api_require(rq, &p, "policies", "create") ||
        (body = pc_api_body(rq, policy_fields, NFIELDS)) == NULL || !valid_policy(rq, body) ||
        /* writing a rule over an action one does not hold would be escalation */
        !pc_api_may_grant_permissions(rq, &p, json_object_get(body, "actions")))
        goto out;
    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:O,s:O?,s:O,s:O,s:o,s:O?,s:I,s:I}", "id", id, "tenant_id",
                    rq->tenant->id, "name", json_object_get(body, "name"), "description",
                    json_object_get(body, "description"), "effect", json_object_get(body, "effect"),
                    "actions", json_object_get(body, "actions"), "principals",
                    principals_of(json_object_get(body, "principals")), "condition",
                    json_object_get(body, "condition"), "created_at", now, "updated_at", now);
    rc = save_policy(rq, &p, rec, 1, NULL, conflict);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, 201, policy_view(rec, NULL));
out:
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_policies_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *r = NULL, *cols = NULL;
    char conflict[64] = "";
    pc_status rc;

    if (!pc_api_require(rq, &p, "policies", "update") ||
        (body = pc_api_body_patch(rq, policy_fields, NFIELDS)) == NULL || !valid_policy(rq, body) ||
        (r = pc_api_load(rq, PC_ENT_POLICY)) == NULL ||
        /* only a caller holding the actions, before and after, may change a policy */
        !pc_api_may_touch(rq, &p, PC_ENT_POLICY, r) ||
        !pc_api_may_grant_permissions(rq, &p, json_object_get(body, "actions")))
        goto out;
    cols = json_deep_copy(body);
    if (json_object_get(cols, "principals") != NULL)
        json_object_set_new(cols, "principals", principals_of(json_object_get(body, "principals")));
    json_object_set_new(cols, "updated_at", json_integer(pc_now()));
    json_object_update(r, cols);
    rc = save_policy(rq, &p, r, 0, cols, conflict);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_reply_json(rq, 200, policy_view(r, NULL));
out:
    json_decref(cols);
    json_decref(r);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_policies_list(pc_req *rq)
{
    pc_api_list(rq, PC_ENT_POLICY, "policies", policy_view);
}

void pc_api_policies_get(pc_req *rq)
{
    pc_api_get_one(rq, PC_ENT_POLICY, "policies", policy_view);
}

void pc_api_policies_delete(pc_req *rq)
{
    pc_api_delete_one(rq, PC_ENT_POLICY, "policies", "policy.deleted");
}
