/* SPDX-License-Identifier: Apache-2.0 */
/* Per tenant, its policies compiled and indexed by action; rebuilt after a change. */
#include "authz/policy_set.h"
#include "server/store.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cross-node staleness is bounded by the change feed; this bounds anything missed. */
#define SET_TTL 60
#define PAGE 500

struct pc_pdp_set {
    int refs;
    pc_pdp_policy **policies;
    size_t n;
    json_t *index; /* action pattern ("todo:update", "todo:*", "*:*") → [policy indexes] */
};

typedef struct entry {
    char tenant_id[40];
    pc_pdp_set *set;
    int64_t expires;
    struct entry *next;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *entries;
static unsigned long generation; /* bumped by every forget: a load that raced one is not kept */

void pc_pdp_policy_free(pc_pdp_policy *p)
{
    if (p == NULL)
        return;
    json_decref(p->roles);
    json_decref(p->groups);
    json_decref(p->users);
    pc_pdp_expr_free(p->condition);
    free(p);
}

static json_t *names(const json_t *principals, const char *key)
{
    json_t *v = json_object_get(principals, key);

    return json_is_array(v) ? json_incref(v) : json_array();
}

pc_pdp_policy *pc_pdp_policy_compile(const json_t *rec, char *why, size_t why_len)
{
    const json_t *principals = json_object_get(rec, "principals");
    const json_t *cond = json_object_get(rec, "condition");
    pc_pdp_policy *p = pc_calloc(1, sizeof *p);

    p->deny = strcmp(json_string_value(json_object_get(rec, "effect")) ?: "", "deny") == 0;
    p->roles = names(principals, "roles");
    p->groups = names(principals, "groups");
    p->users = names(principals, "users");
    p->everyone =
        json_array_size(p->roles) + json_array_size(p->groups) + json_array_size(p->users) == 0;
    why[0] = '\0';
    if (cond != NULL && !json_is_null(cond) &&
        (p->condition = pc_pdp_expr_compile(cond, why, why_len)) == NULL) {
        pc_pdp_policy_free(p);
        return NULL;
    }
    return p;
}

static void set_free(pc_pdp_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        pc_pdp_policy_free(s->policies[i]);
    free(s->policies);
    json_decref(s->index);
    free(s);
}

void pc_pdp_set_release(pc_pdp_set *s)
{
    if (s != NULL && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
        set_free(s);
}

/* Add policy `rec` to the set; one whose condition no longer compiles is kept as
 * applying always if it denies (closed), left out if it allows. */
void pc_pdp_set_add(pc_pdp_set *s, const json_t *rec)
{
    char why[200];
    pc_pdp_policy *p = pc_pdp_policy_compile(rec, why, sizeof why);
    json_t *action, *slot;
    size_t i;

    if (p == NULL) {
        pc_warn("policy %s: %s", json_string_value(json_object_get(rec, "id")), why);
        if (strcmp(json_string_value(json_object_get(rec, "effect")) ?: "", "deny") != 0)
            return;
        json_t *bare = json_deep_copy(rec);
        json_object_del(bare, "condition");
        p = pc_pdp_policy_compile(bare, why, sizeof why);
        json_decref(bare);
    }
    s->policies = realloc(s->policies, (s->n + 1) * sizeof *s->policies);
    if (s->policies == NULL)
        abort();
    json_array_foreach (json_object_get(rec, "actions"), i, action) {
        const char *k = json_string_value(action);
        if (k == NULL)
            continue;
        if ((slot = json_object_get(s->index, k)) == NULL)
            json_object_set_new(s->index, k, slot = json_array());
        json_array_append_new(slot, json_integer((json_int_t)s->n));
    }
    s->policies[s->n++] = p;
}

pc_pdp_set *pc_pdp_set_new(void)
{
    pc_pdp_set *s = pc_calloc(1, sizeof *s);

    s->refs = 1;
    s->index = json_object();
    return s;
}

static pc_pdp_set *load(const char *tenant_id)
{
    pc_pdp_set *s = pc_pdp_set_new();
    json_t *rows = NULL, *row;
    const char *after = NULL;
    char last[64] = "";
    size_t i, got;

    do {
        pc_store_query q = {.after = after, .limit = PAGE};
        if (pc_db_list(NULL, PC_ENT_POLICY, tenant_id, &q, &rows) != PC_OK) {
            set_free(s);
            return NULL;
        }
        json_array_foreach (rows, i, row)
            pc_pdp_set_add(s, row);
        got = json_array_size(rows);
        if (got > 0)
            snprintf(last, sizeof last, "%s",
                     json_string_value(json_object_get(json_array_get(rows, got - 1), "id")));
        after = last;
        json_decref(rows);
        rows = NULL;
    } while (got == PAGE);
    return s;
}

pc_pdp_set *pc_pdp_set_get(const char *tenant_id)
{
    int64_t now = pc_now();
    pc_pdp_set *s = NULL;
    unsigned long gen;
    entry *e;

    pthread_mutex_lock(&lock);
    for (e = entries; e != NULL; e = e->next)
        if (strcmp(e->tenant_id, tenant_id) == 0 && e->expires > now) {
            s = e->set;
            __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
            break;
        }
    gen = generation;
    pthread_mutex_unlock(&lock);
    if (s != NULL || (s = load(tenant_id)) == NULL)
        return s;
    pthread_mutex_lock(&lock);
    if (gen == generation) {
        for (e = entries; e != NULL && strcmp(e->tenant_id, tenant_id) != 0; e = e->next)
            ;
        if (e == NULL) {
            e = pc_calloc(1, sizeof *e);
            snprintf(e->tenant_id, sizeof e->tenant_id, "%s", tenant_id);
            e->next = entries;
            entries = e;
        } else {
            pc_pdp_set_release(e->set);
        }
        e->set = s;
        e->expires = now + SET_TTL;
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
    }
    pthread_mutex_unlock(&lock);
    return s;
}

static int each_in(const pc_pdp_set *s, const char *key,
                   int (*fn)(const pc_pdp_policy *p, void *arg), void *arg)
{
    json_t *slot = json_object_get(s->index, key), *v;
    size_t i;
    int rc;

    json_array_foreach (slot, i, v)
        if ((rc = fn(s->policies[json_integer_value(v)], arg)) != 0)
            return rc;
    return 0;
}

int pc_pdp_set_each(const pc_pdp_set *s, const char *resource, const char *action,
                    int (*fn)(const pc_pdp_policy *p, void *arg), void *arg)
{
    char k[300];
    int rc;

    if (s->n == 0)
        return 0;
    snprintf(k, sizeof k, "%s:%s", resource, action);
    if ((rc = each_in(s, k, fn, arg)) != 0)
        return rc;
    snprintf(k, sizeof k, "%s:*", resource);
    if ((rc = each_in(s, k, fn, arg)) != 0)
        return rc;
    snprintf(k, sizeof k, "*:%s", action);
    if ((rc = each_in(s, k, fn, arg)) != 0)
        return rc;
    return each_in(s, "*:*", fn, arg);
}

void pc_pdp_sets_forget(const char *tenant_id)
{
    entry **pp, *e;

    pthread_mutex_lock(&lock);
    generation++;
    for (pp = &entries; (e = *pp) != NULL;) {
        if (tenant_id == NULL || strcmp(e->tenant_id, tenant_id) == 0) {
            *pp = e->next;
            pc_pdp_set_release(e->set);
            free(e);
        } else {
            pp = &e->next;
        }
    }
    pthread_mutex_unlock(&lock);
}

void pc_pdp_sets_init(void)
{
}

void pc_pdp_sets_shutdown(void)
{
    pc_pdp_sets_forget(NULL);
}
