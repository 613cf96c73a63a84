/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in safety (API.md §11): a tenant keeps an admin role with *:* and an active principal holding it. */
#ifndef PC_IAM_SUPERUSER_H
#define PC_IAM_SUPERUSER_H
#include <portcullis/portcullis.h>

/** The name of the role every tenant keeps, always holding "*:*". */
#define PC_IAM_ADMIN_ROLE "admin"

/**
 * Does an active principal of the tenant (a user neither deleted, disabled nor
 * frozen at `now`, or an application) still hold "*:*", directly or through a
 * group, as `tx` sees the store? PC_OK if one does, PC_ERR_CONFLICT if none does,
 * PC_ERR_STORAGE when the store cannot tell. Run it inside a change's transaction,
 * before committing.
 */
pc_status pc_iam_superuser_remains(pc_store_tx *tx, const char *tenant_id, int64_t now);
#endif
