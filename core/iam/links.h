/* SPDX-License-Identifier: Apache-2.0 */
/* Roles and groups referred to by name: resolving names, setting and reading a principal's links. */
#ifndef PC_IAM_LINKS_H
#define PC_IAM_LINKS_H
#include <portcullis/portcullis.h>

/**
 * Make `principal_id` hold exactly the roles named in `names` (JSON array), in
 * `tx`. Unknown names: PC_ERR_INVALID with *unknown (new object name → reason).
 */
pc_status pc_iam_set_roles(pc_store_tx *tx, const char *tenant_id, const char *principal_id,
                           const json_t *names, json_t **unknown);
/** Make user `user_id` a member of exactly the groups named in `names`. */
pc_status pc_iam_set_groups(pc_store_tx *tx, const char *tenant_id, const char *user_id,
                            const json_t *names, json_t **unknown);
/**
 * Make group `group_id` hold exactly the roles named in `names` / have exactly
 * the users whose ids are in `user_ids`, in `tx`. Unknown names or ids:
 * PC_ERR_INVALID with *unknown. The caller records the permissions change.
 */
pc_status pc_iam_set_group_roles(pc_store_tx *tx, const char *tenant_id, const char *group_id,
                                 const json_t *names, json_t **unknown);
pc_status pc_iam_set_group_members(pc_store_tx *tx, const char *tenant_id, const char *group_id,
                                   const json_t *user_ids, json_t **unknown);
/** Record in `tx` that the tenant's permissions changed (every node recompiles its sets). */
pc_status pc_iam_permissions_changed(pc_store_tx *tx, const char *tenant_id);
/*
 * Names of what a principal is linked to (new array in *names). A store that fails
 * midway is PC_ERR_STORAGE (and *names an empty array, new), never a short list.
 */
/** The roles a principal holds directly. */
pc_status pc_iam_role_names_get(const char *tenant_id, const char *principal_id, json_t **names);
/** The same, read in `tx` (what it wrote and has not committed yet included). */
pc_status pc_iam_role_names_in(pc_store_tx *tx, const char *tenant_id, const char *principal_id,
                               json_t **names);
/** The roles a group holds. */
pc_status pc_iam_group_role_names_get(const char *tenant_id, const char *group_id, json_t **names);
/** The groups a user is in. */
pc_status pc_iam_group_names_get(const char *tenant_id, const char *user_id, json_t **names);
/**
 * pc_iam_role_names_get() (`roles` 1) or pc_iam_group_names_get() (0) for each user id of `ids` (at
 * most 128), in a few statements whatever their number: *out maps each id to its names.
 * PC_ERR_INTERNAL where the store cannot list the links of many ids at once.
 */
pc_status pc_iam_page_names(const char *tenant_id, const json_t *ids, int roles, json_t **out);
/** A principal's effective roles, direct and through groups. */
pc_status pc_iam_effective_roles_get(const char *tenant_id, const char *principal_id,
                                     json_t **names);
#endif
