/* SPDX-License-Identifier: Apache-2.0 */
/* Per tenant, its policies compiled and indexed by action; rebuilt after a change. */
#ifndef PC_PDP_POLICY_SET_H
#define PC_PDP_POLICY_SET_H
#include "authz/expr.h"

#include <portcullis/status.h>

typedef struct pc_pdp_policy {
    int deny;
    int everyone;                   /* principals empty */
    json_t *roles, *groups, *users; /* arrays of names / ids */
    pc_expr *condition;             /* NULL: always applies */
} pc_pdp_policy;

typedef struct pc_pdp_set pc_pdp_set;

/** The tenant's compiled set (a new reference: pc_pdp_set_release), or NULL on a store failure. */
pc_pdp_set *pc_pdp_set_get(const char *tenant_id);
void pc_pdp_set_release(pc_pdp_set *s);
/**
 * Call fn for each policy whose actions cover resource:action (exact,
 * "resource:*", "*:action", "*:*"), until fn returns non-zero; returns that.
 */
int pc_pdp_set_each(const pc_pdp_set *s, const char *resource, const char *action,
                    int (*fn)(const pc_pdp_policy *p, void *arg), void *arg);
/** An empty set (one reference), and adding a policy record to it (for loading and tests). */
pc_pdp_set *pc_pdp_set_new(void);
void pc_pdp_set_add(pc_pdp_set *s, const json_t *rec);
/**
 * Deny-overrides over a compiled set, given whether a role grants the
 * permission: 1 to permit. Pure: reads only its arguments.
 */
struct pc_pdp_query;
int pc_pdp_combine(const pc_pdp_set *s, const struct pc_pdp_query *q, int64_t now, int role_grants);
/** Compile one policy record; NULL if its condition does not compile (why set). */
pc_pdp_policy *pc_pdp_policy_compile(const json_t *rec, char *why, size_t why_len);
void pc_pdp_policy_free(pc_pdp_policy *p);

void pc_pdp_sets_init(void);
void pc_pdp_sets_shutdown(void);
void pc_pdp_sets_forget(const char *tenant_id);
#endif
