/* SPDX-License-Identifier: Apache-2.0 */
/* POST /authorize: may subject S do action A on resource R? (API.md §4, §15) */
#include "api/api.h"
#include "authz/authz.h"
#include "iam/permcache.h"
#include "iam/permissions.h"
#include "server/store.h"

#include <stdio.h>
#include <string.h>

static const pc_field check_fields[] = {{"resource", PC_F_STRING, 1},
                                        {"action", PC_F_STRING, 1},
                                        {"sub", PC_F_STRING, 0},
                                        {"resource_id", PC_F_STRING, 0},
                                        {"resource_properties", PC_F_OBJECT, 0},
                                        {"context", PC_F_OBJECT, 0}};

static void answer(pc_req *rq, int authorized)
{
    char ts[24];

    snprintf(ts, sizeof ts, "%lld", (long long)pc_now());
    pc_reply_json(rq, 200, json_pack("{s:b,s:s}", "authorized", authorized, "timestamp", ts));
}

/* Answer for role `name` if there is one (1), else 0 (a store failure is answered, 1). */
static int role_answer(pc_req *rq, const char *name, const json_t *body)
{
    json_t *role = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_ROLE, rq->tenant->id, "name", name, &role);

    if (rc == PC_OK)
        answer(rq, pc_perm_set_allows(json_object_get(role, "permissions"),
                                      json_string_value(json_object_get(body, "resource")),
                                      json_string_value(json_object_get(body, "action"))));
    else if (rc != PC_ERR_NOT_FOUND)
        pc_api_store_error(rq, rc, NULL);
    json_decref(role);
    return rc != PC_ERR_NOT_FOUND;
}

/*
 * The facts of the subject asked about: the caller, or `sub` with permissions:check
 * (a user id, username, email, client_id; API.md §11). Returns 0 once the request is
 * answered: an error, or, when `sub` names a role, whether that role grants the permission.
 */
static int subject_facts(pc_req *rq, const pc_principal *p, const char *sub, const json_t *body,
                         json_t **facts)
{
    int may_check = 0;
    pc_status rc;

    if (sub == NULL) {
        rc = pc_pdp_subject(rq->tenant->id, p->is_user ? "user" : "application", p->id, facts);
        if (rc != PC_OK)
            pc_api_store_error(rq, rc == PC_ERR_NOT_FOUND ? PC_ERR_INTERNAL : rc, NULL);
        return rc == PC_OK;
    }
    /* Asking about someone else needs permissions:check. */
    rc = pc_permcache_check(rq->tenant->id, p->id, "permissions", "check", &may_check);
    if (rc != PC_OK)
        return pc_api_store_error(rq, rc, NULL), 0;
    if (!may_check)
        return pc_api_error(rq, PC_API_FORBIDDEN, "Permission permissions:check is required", NULL),
               0;
    rc = pc_pdp_subject(rq->tenant->id, NULL, sub, facts);
    /* Last, a role name: does that role grant the permission? (API.md §11) */
    if (rc == PC_ERR_NOT_FOUND && role_answer(rq, sub, body))
        return 0;
    if (rc == PC_ERR_NOT_FOUND)
        pc_api_error(rq, PC_API_SUBJECT_UNKNOWN, "No user or application by that name",
                     json_pack("{s:s}", "sub", "unknown"));
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    return rc == PC_OK;
}

void pc_api_authorize(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *facts = NULL;
    const char *sub;
    int allowed = 0;
    pc_status rc;

    if (!pc_api_authenticate(rq, &p) ||
        (body = pc_api_body(rq, check_fields, sizeof check_fields / sizeof *check_fields)) == NULL)
        goto out;
    sub = json_string_value(json_object_get(body, "sub"));
    if (!subject_facts(rq, &p, sub, body, &facts))
        goto out;
    pc_pdp_query q = {.facts = facts,
                      .subject_type = json_string_value(json_object_get(facts, "kind")),
                      .subject_id = sub ? sub : p.id,
                      .resource = json_string_value(json_object_get(body, "resource")),
                      .action = json_string_value(json_object_get(body, "action")),
                      .resource_id = json_string_value(json_object_get(body, "resource_id")),
                      .resource_props = json_object_get(body, "resource_properties"),
                      .context = json_object_get(body, "context")};
    /* API.md §18: the caller's own question is asked in its token's organization. */
    if (sub == NULL && json_object_get(q.context, "organization") == NULL)
        q.org_id = json_string_value(json_object_get(p.claims, "org_id"));
    /* One decision for every path: deny policies, roles, allow policies (API.md §15). */
    rc = pc_pdp_decide(rq->tenant->id, &q, pc_now(), &allowed);
    if (rc == PC_ERR_INVALID)
        pc_api_error(rq, PC_API_INVALID, "No organization by that slug or id",
                     json_pack("{s:s}", "context.organization", "unknown"));
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        answer(rq, allowed);
out:
    json_decref(facts);
    json_decref(body);
    pc_principal_clear(&p);
}
