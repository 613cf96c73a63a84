/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled permission sets per principal, answered from memory, cleared on any role or group change. */
#ifndef PC_IAM_PERMCACHE_H
#define PC_IAM_PERMCACHE_H
#include <jansson.h>
#include <portcullis/status.h>

/** Listen to the change feed ("perm", "tenant" entries clear a tenant's sets). */
void pc_permcache_init(void);
void pc_permcache_shutdown(void);
/**
 * May principal `principal_id` of `tenant_id` do resource:action? Loads and
 * compiles its effective permissions on first use. PC_OK with *allowed set,
 * or PC_ERR_STORAGE.
 */
pc_status pc_permcache_check(const char *tenant_id, const char *principal_id, const char *resource,
                             const char *action, int *allowed);
/** The effective permissions as a sorted JSON array (new); NULL on a store failure. */
json_t *pc_permcache_list(const char *tenant_id, const char *principal_id);
/**
 * The same within organization `org_id` (API.md §18; NULL: tenant-wide): the
 * tenant-wide permissions plus those of the membership's roles, compiled and
 * cached alike, cleared by the same "perm" entries.
 */
pc_status pc_permcache_check_in(const char *tenant_id, const char *principal_id, const char *org_id,
                                const char *resource, const char *action, int *allowed);
json_t *pc_permcache_list_in(const char *tenant_id, const char *principal_id, const char *org_id);
/** Forget every set of a tenant (after a change to its roles, groups or memberships). */
void pc_permcache_clear_tenant(const char *tenant_id);
#endif
