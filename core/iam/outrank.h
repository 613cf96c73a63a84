/* SPDX-License-Identifier: Apache-2.0 */
/* The one "may this principal act on that one" rule: the actor holds every permission the target holds. */
#ifndef PC_IAM_OUTRANK_H
#define PC_IAM_OUTRANK_H
#include <portcullis/status.h>

/**
 * Does `actor_id` hold every effective permission of `target_id` (a wildcard
 * counted as itself: only "x:*" or "*:*" covers "x:*")? PC_OK with *may set,
 * or PC_ERR_STORAGE.
 */
pc_status pc_iam_outranks(const char *tenant_id, const char *actor_id, const char *target_id,
                          int *may);
/** Does `principal_id` hold `perm` ("ledger:post", "ledger:*") itself? 1 or 0, and -1 when
 * the store cannot tell (never read -1 as "holds"). */
int pc_iam_holds(const char *tenant_id, const char *principal_id, const char *perm);
/** pc_iam_holds within organization `org_id` (API.md §18; NULL: tenant-wide). */
int pc_iam_holds_in(const char *tenant_id, const char *principal_id, const char *org_id,
                    const char *perm);
#endif
