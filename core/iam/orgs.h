/* SPDX-License-Identifier: Apache-2.0 */
/* Organizations inside a tenant (API.md §18): lookups, memberships, their permissions, and cutting a removed member. */
#ifndef PC_IAM_ORGS_H
#define PC_IAM_ORGS_H
#include <portcullis/portcullis.h>
#include "iam/tenant.h"

/** Memberships one user may hold in a tenant (AUT-0016 past it). */
#define PC_ORG_MAX_PER_USER 100

/** Is `slug` a valid organization slug (the tenant slug rule, API.md §1)? */
int pc_org_slug_valid(const char *slug);
/**
 * The first problem of an organization body's fields (slug, name, logo_url; each
 * checked when present): a reason (static) with *field naming it, or NULL.
 */
const char *pc_org_fields_problem(const json_t *body, const char **field);
/**
 * The organization named by `ref`, an id or a slug (*org new): PC_OK,
 * PC_ERR_NOT_FOUND, or PC_ERR_STORAGE.
 */
pc_status pc_org_find(const char *tenant_id, const char *ref, json_t **org);
/** The membership of user `user_id` in `org_id` (*m new, may be NULL to ask only): PC_OK, PC_ERR_NOT_FOUND, PC_ERR_STORAGE. */
pc_status pc_org_membership(pc_store_tx *tx, const char *tenant_id, const char *org_id,
                            const char *user_id, json_t **m);
/** The organizations of a user, [{"id","slug","name"}] in membership order (*items new). */
pc_status pc_org_of_user(const char *tenant_id, const char *user_id, json_t **items);
/**
 * The permissions the membership's roles grant (*perms new, a JSON array):
 * PC_OK (empty when the user is not a member), or PC_ERR_STORAGE.
 */
pc_status pc_org_member_permissions(const char *tenant_id, const char *org_id, const char *user_id,
                                    json_t **perms);
/** Role names (JSON array of strings) to role ids (*ids new); unknown names in *unknown (new). */
pc_status pc_org_role_ids(const char *tenant_id, const json_t *names, json_t **ids,
                          json_t **unknown);
/**
 * Role ids to the names of those that still exist (new array in *names); PC_ERR_STORAGE
 * (and an empty array) when the store fails, never a short list.
 */
pc_status pc_org_role_names_get(const char *tenant_id, const json_t *ids, json_t **names);
#endif
