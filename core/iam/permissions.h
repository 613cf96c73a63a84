/* SPDX-License-Identifier: Apache-2.0 */
/* resource:action permissions and their wildcards (API.md §4). */
#ifndef PC_IAM_PERMISSIONS_H
#define PC_IAM_PERMISSIONS_H
#include <jansson.h>

/** Is `perm` a well-formed "resource:action" (each ^[a-z0-9_.-]+$ or "*")? */
int pc_perm_valid(const char *perm);
/** Does one granted permission cover resource:action? ("ledger:*", "*:*", "*:read") */
int pc_perm_covers(const char *granted, const char *resource, const char *action);
/** Does any permission in the JSON array `set` cover resource:action? */
int pc_perm_set_allows(const json_t *set, const char *resource, const char *action);
#endif
