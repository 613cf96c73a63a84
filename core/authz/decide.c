/* SPDX-License-Identifier: Apache-2.0 */
/* The decision: an applicable deny wins; else a role's permission or an applicable allow (API.md §15). */
#include "authz/authz.h"
#include "authz/policy_set.h"
#include "authz/subject.h"
#include "iam/orgs.h"
#include "iam/permcache.h"
#include "oauth2/changes.h"

#include <stdio.h>
#include <string.h>

typedef struct eval_ctx {
    const json_t *facts;
    json_t *parts[PC_PDP_NROOTS]; /* the input, root by root, as conditions need them */
    unsigned built;               /* the PC_PDP_ROOT_* in parts */
    const pc_pdp_query *q;
    int64_t now;
    int allow; /* a role grants it, or an allow policy applied */
} eval_ctx;

static int has_name(const json_t *list, const json_t *names)
{
    size_t i, j;
    json_t *a, *b;

    json_array_foreach (list, i, a)
        json_array_foreach (names, j, b)
            if (json_equal(a, b))
                return 1;
    return 0;
}

/* Does the policy name this principal (by user id, effective role or group)? */
static int names_principal(const pc_pdp_policy *p, const json_t *facts)
{
    json_t *id = json_object_get(facts, "id");
    size_t i;
    json_t *u;

    if (p->everyone)
        return 1;
    json_array_foreach (p->users, i, u)
        if (json_equal(u, id))
            return 1;
    return has_name(p->roles, json_object_get(facts, "roles")) ||
           has_name(p->groups, json_object_get(facts, "groups"));
}

/* subject.properties: the principal's attributes, then its own fields, then the request's. */
static json_t *subject_properties(const json_t *facts, const json_t *given)
{
    static const char *const own[] = {"id", "username", "email", "client_id", "roles", "groups"};
    json_t *props = json_copy(json_object_get(facts, "attributes"));

    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (json_object_get(facts, own[i]) != NULL)
            json_object_set(props, own[i], json_object_get(facts, own[i]));
    if (json_is_object(given))
        json_object_update(props, (json_t *)given);
    return props;
}

static json_t *object_or_empty(const json_t *v)
{
    return json_is_object(v) ? json_incref((json_t *)v) : json_object();
}

static json_t *subject_of(const pc_pdp_query *q)
{
    json_t *subject;

    if (q->subject_memo != NULL && *q->subject_memo != NULL)
        return json_incref(*q->subject_memo);
    subject = json_pack("{s:s?,s:s?,s:o}", "id", q->subject_id, "type", q->subject_type,
                        "properties", subject_properties(q->facts, q->subject_props));
    if (q->subject_memo != NULL)
        *q->subject_memo = json_incref(subject);
    return subject;
}

static json_t *action_of(const pc_pdp_query *q)
{
    char name[300];

    snprintf(name, sizeof name, "%s:%s", q->resource, q->action);
    return json_pack("{s:s,s:o}", "name", name, "properties", object_or_empty(q->action_props));
}

/* Add to the input the roots in `need` it lacks (see expr.h): a decision whose conditions
 * read only the context never copies the subject's attributes. */
static void build_input(eval_ctx *c, unsigned need)
{
    const pc_pdp_query *q = c->q;
    unsigned missing = need & ~c->built;

    if (missing & PC_PDP_ROOT_SUBJECT)
        c->parts[0] = subject_of(q);
    if (missing & PC_PDP_ROOT_RESOURCE)
        c->parts[1] = json_pack("{s:s,s:s?,s:o}", "type", q->resource, "id", q->resource_id,
                                "properties", object_or_empty(q->resource_props));
    if (missing & PC_PDP_ROOT_ACTION)
        c->parts[2] = action_of(q);
    if (missing & PC_PDP_ROOT_CONTEXT)
        c->parts[3] = object_or_empty(q->context);
    c->built |= missing;
}

static int condition_holds(const pc_pdp_policy *p, eval_ctx *c)
{
    pc_pdp_input in;
    unsigned need;

    if (p->condition == NULL)
        return 1;
    need = pc_pdp_expr_roots(p->condition);
    if ((need & ~c->built) != 0)
        build_input(c, need);
    for (unsigned i = 0; i < PC_PDP_NROOTS; i++)
        in.root[i] = c->parts[i];
    return pc_pdp_expr_eval_in(p->condition, &in, c->now);
}

/*
 * Called once per policy indexed under the action: 1 (stop) when a deny
 * applies; an allow that applies is noted, and only looked at while nothing
 * else permits yet.
 */
static int visit(const pc_pdp_policy *p, void *arg)
{
    eval_ctx *c = arg;

    if ((!p->deny && c->allow) || !names_principal(p, c->facts))
        return 0;
    if (!condition_holds(p, c))
        return 0;
    if (p->deny)
        return 1;
    c->allow = 1;
    return 0;
}

int pc_pdp_combine(const pc_pdp_set *set, const pc_pdp_query *q, int64_t now, int role_grants)
{
    eval_ctx c = {q->facts, {NULL, NULL, NULL, NULL}, 0, q, now, role_grants};
    int denied = pc_pdp_set_each(set, q->resource, q->action, visit, &c);

    for (unsigned i = 0; i < PC_PDP_NROOTS; i++)
        json_decref(c.parts[i]);
    return !denied && c.allow;
}

/* The organization of the question (API.md §18): q->org_id, else context.organization. */
static pc_status org_of(const char *tenant_id, const pc_pdp_query *q, char id[40])
{
    const json_t *ref = json_object_get(q->context, "organization");
    json_t *org = NULL;
    pc_status rc;

    *id = '\0';
    if (q->org_id != NULL || ref == NULL) {
        snprintf(id, 40, "%s", q->org_id ? q->org_id : "");
        return PC_OK;
    }
    if (!json_is_string(ref))
        return PC_ERR_INVALID;
    rc = pc_org_find(tenant_id, json_string_value(ref), &org);
    if (rc == PC_OK)
        snprintf(id, 40, "%s", json_string_value(json_object_get(org, "id")));
    json_decref(org);
    return rc == PC_ERR_NOT_FOUND ? PC_ERR_INVALID : rc;
}

pc_status pc_pdp_decide(const char *tenant_id, const pc_pdp_query *q, int64_t now, int *allowed)
{
    pc_pdp_set *set;
    const char *principal = json_string_value(json_object_get(q->facts, "id"));
    int role_grants = 0;
    char org[40];
    pc_status rc;

    *allowed = 0;
    rc = org_of(tenant_id, q, org);
    if (rc != PC_OK)
        return rc == PC_ERR_INVALID ? rc : PC_ERR_STORAGE;
    rc = pc_permcache_check_in(tenant_id, principal, *org ? org : NULL, q->resource, q->action,
                               &role_grants);
    if (rc != PC_OK)
        return PC_ERR_STORAGE;
    if ((set = pc_pdp_set_get(tenant_id)) == NULL)
        return PC_ERR_STORAGE;
    *allowed = pc_pdp_combine(set, q, now, role_grants);
    pc_pdp_set_release(set);
    return PC_OK;
}

void pc_pdp_forget_tenant(const char *tenant_id)
{
    pc_pdp_sets_forget(tenant_id);
    pc_pdp_subjects_forget(tenant_id);
}

static void on_change(const pc_change *c)
{
    if (strcmp(c->kind, "perm") == 0 || strcmp(c->kind, "tenant") == 0 ||
        strcmp(c->kind, "user") == 0)
        pc_pdp_forget_tenant(c->tenant_id);
    else if (strcmp(c->kind, "subject") == 0)
        pc_pdp_subjects_forget(c->tenant_id);
}

void pc_pdp_init(void)
{
    pc_pdp_sets_init();
    pc_pdp_subjects_init();
    pc_changes_listen(on_change);
}

void pc_pdp_shutdown(void)
{
    pc_pdp_sets_shutdown();
    pc_pdp_subjects_shutdown();
}
