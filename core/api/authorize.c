/* SPDX-License-Identifier: Apache-2.0 */
/* POST /authorize: may subject S do action A on resource R? (API.md §4) */
#include "api/api.h"
#include "iam/permcache.h"
#include "iam/permissions.h"
#include "server/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const pc_field check_fields[] = {
    {"resource", PC_F_STRING, 1}, {"action", PC_F_STRING, 1}, {"sub", PC_F_STRING, 0}};

/* The principal id (new) of a subject named by user id, username, email or client_id
 * (API.md §11, in that order; usernames and emails without regard to case):
 * PC_ERR_NOT_FOUND if none, PC_ERR_STORAGE when the store cannot tell. */
static pc_status subject_id(const pc_tenant *t, const char *sub, char **id)
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
    pc_status rc = PC_ERR_NOT_FOUND;

    *id = NULL;
    for (size_t i = 0; i < sizeof ways / sizeof *ways && *id == NULL; i++) {
        rc = pc_db_get(NULL, ways[i].ent, t->id, ways[i].field, sub, &rec);
        if (rc == PC_ERR_STORAGE)
            return rc;
        if (rc != PC_OK)
            continue;
        if (ways[i].ent != PC_ENT_USER || json_is_null(json_object_get(rec, "deleted_at")))
            *id = strdup(json_string_value(json_object_get(rec, "id")));
        json_decref(rec);
        rec = NULL;
    }
    return *id != NULL ? PC_OK : PC_ERR_NOT_FOUND;
}

static void answer(pc_req *rq, int authorized)
{
    char ts[24];

    snprintf(ts, sizeof ts, "%lld", (long long)pc_now());
    pc_reply_json(rq, 200, json_pack("{s:b,s:s}", "authorized", authorized, "timestamp", ts));
}

/* Check `principal_id` and answer; a store failure is 503 AUT-0020, never "not authorized". */
static void check_and_answer(pc_req *rq, const char *principal_id, const char *resource,
                             const char *action)
{
    int allowed = 0;
    pc_status rc = pc_permcache_check(rq->tenant->id, principal_id, resource, action, &allowed);

    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        answer(rq, allowed);
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

void pc_api_authorize(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL;
    const char *sub;
    char *id = NULL;
    int may_check = 0;
    pc_status rc;

    if (!pc_api_authenticate(rq, &p) || (body = pc_api_body(rq, check_fields, 3)) == NULL)
        goto out;
    sub = json_string_value(json_object_get(body, "sub"));
    if (sub != NULL) {
        /* Asking about someone else needs permissions:check. */
        rc = pc_permcache_check(rq->tenant->id, p.id, "permissions", "check", &may_check);
        if (rc != PC_OK) {
            pc_api_store_error(rq, rc, NULL);
            goto out;
        }
        if (!may_check) {
            pc_api_error(rq, PC_API_FORBIDDEN, "Permission permissions:check is required", NULL);
            goto out;
        }
        rc = subject_id(rq->tenant, sub, &id);
        /* Last, a role name: does that role grant the permission? (API.md §11) */
        if (rc == PC_ERR_NOT_FOUND && role_answer(rq, sub, body))
            goto out;
        if (rc == PC_ERR_STORAGE) {
            pc_api_store_error(rq, rc, NULL);
            goto out;
        }
        if (rc != PC_OK) {
            pc_api_error(rq, PC_API_SUBJECT_UNKNOWN, "No user or application by that name",
                         json_pack("{s:s}", "sub", "unknown"));
            goto out;
        }
    }
    check_and_answer(rq, id ? id : p.id, json_string_value(json_object_get(body, "resource")),
                     json_string_value(json_object_get(body, "action")));
out:
    free(id);
    json_decref(body);
    pc_principal_clear(&p);
}
