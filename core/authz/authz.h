/* SPDX-License-Identifier: Apache-2.0 */
/* The authorization decision (API.md §15): roles, policies with conditions, deny-overrides. */
#ifndef PC_PDP_AUTHZ_H
#define PC_PDP_AUTHZ_H
#include <jansson.h>
#include <portcullis/status.h>
#include <portcullis/storage.h>
#include <stdint.h>

/** Start the caches and follow the change feed ("perm", "tenant", "user", "subject" entries). */
void pc_pdp_init(void);
void pc_pdp_shutdown(void);

/**
 * What is known of a subject, resolved from `ident`: for `type` "user" a user
 * id, username or email; for "application" a client_id (or an application
 * id); NULL tries both. *facts (new): {"id","kind","username"?,"email"?,
 * "client_id"?,"roles":[effective role names],"groups":[names],
 * "attributes":{}}. Cached a short while, cleared on role and group changes.
 * PC_ERR_NOT_FOUND (also for a deleted user), or PC_ERR_STORAGE.
 */
pc_status pc_pdp_subject(const char *tenant_id, const char *type, const char *ident,
                         json_t **facts);

/**
 * A user's own fields (attributes, username, email) changed in `tx`: every node forgets
 * the facts it holds of the tenant's subjects once committed (a "subject" feed entry).
 */
pc_status pc_pdp_subject_changed(pc_store_tx *tx, const char *tenant_id, const char *user_id);

/** One question: may the subject described by `facts` do resource:action? */
typedef struct pc_pdp_query {
    const json_t *facts;         /**< from pc_pdp_subject */
    const char *subject_type;    /**< as the request gives it, or the facts' kind */
    const char *subject_id;      /**< as the request gives it, or the facts' id */
    const json_t *subject_props; /**< merged over the principal's; may be NULL */
    const char *resource;        /**< resource type, e.g. "todo" */
    const char *action;          /**< action, e.g. "update" */
    const char *resource_id;     /**< may be NULL */
    const json_t *resource_props, *action_props, *context; /**< may be NULL */
    /**
     * Optional: where the subject part of the evaluation input is kept for
     * the next query about the same subject (a batch); the caller
     * json_decref()s *subject_memo at the end. NULL: built per query.
     */
    json_t **subject_memo;
    /**
     * The organization the question is asked in (API.md §18): its id, or NULL to
     * take context.organization (a slug or an id) when there is one. Within an
     * organization the membership's roles grant too.
     */
    const char *org_id;
} pc_pdp_query;

/**
 * Deny-overrides: an applicable deny policy refuses; else a role granting
 * resource:action, or an applicable allow policy, permits; else refused.
 * Once the tenant's policies are compiled (on first use, then after each
 * change) this reads no store and parses no policy. PC_OK with *allowed,
 * PC_ERR_INVALID when context.organization names no organization, or
 * PC_ERR_STORAGE. Thread-safe.
 */
pc_status pc_pdp_decide(const char *tenant_id, const pc_pdp_query *q, int64_t now, int *allowed);

/** Forget the compiled policies of a tenant (tests; the change feed does it otherwise). */
void pc_pdp_forget_tenant(const char *tenant_id);
#endif
