/* SPDX-License-Identifier: Apache-2.0 */
/* Identity providers of a tenant (API.md §14): their plugins, sealed configs, linked identities. */
#ifndef PC_IAM_IDP_H
#define PC_IAM_IDP_H
#include <portcullis/portcullis.h>

/** The loaded, initialised idp plugin serving API kind `kind`, or NULL; *state receives its state. */
const pc_idp_ops *pc_idp_plugin(const char *kind, void **state);
/**
 * The config as stored: the plugin's secret members sealed with the master
 * key; a secret absent or masked keeps its stored value in `previous` unless
 * the upstream changed (issuer, an endpoint or url). New, or NULL on failure.
 */
json_t *pc_idp_config_seal(const pc_idp_ops *ops, const char *tenant_id, const json_t *plain,
                           const json_t *previous);
/**
 * How login pages show the provider record `idp` (new object), from its
 * plugin's describe() (idp.h), checked: {"method":"redirect"|"directory",
 * "icon"?, "label"?}; a redirect always has a label ("Sign in with
 * {display_name}" unless the plugin said otherwise). NULL when no loaded
 * plugin serves its kind.
 */
json_t *pc_idp_describe(const char *tenant_id, const json_t *idp);
/** The identity provider record named `name` of the tenant (new), or the store status. */
pc_status pc_idp_find(const char *tenant_id, const char *name, json_t **idp);
/**
 * The identities linked to a user as the API shows them (new array of
 * {"provider","subject","email","linked_at"}, linked_at in Unix seconds), or
 * NULL on a store failure.
 */
json_t *pc_idp_identities_of(const char *tenant_id, const char *user_id);
/** pc_idp_identities_of() for each id of `user_ids` (at most 128), in *out: user id → array. */
pc_status pc_idp_page_identities(const char *tenant_id, const json_t *user_ids, json_t **out);
/**
 * Unlink the user's identity at provider `name` in `tx`, refusing to remove
 * the last way to sign in: PC_ERR_NOT_FOUND (no such link), PC_ERR_DENIED
 * (the last way: no password and no other identity), or the store status.
 * *identity_id receives the removed link's id (37 bytes).
 */
pc_status pc_idp_unlink(pc_store_tx *tx, const char *tenant_id, const json_t *user,
                        const char *name, char identity_id[37]);
#endif
