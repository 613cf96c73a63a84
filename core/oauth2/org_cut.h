/* SPDX-License-Identifier: Apache-2.0 */
/* A removed membership (API.md §18): every token of that user scoped to that organization stops at once, on every node. */
#ifndef PC_OAUTH2_ORG_CUT_H
#define PC_OAUTH2_ORG_CUT_H
#include <portcullis/portcullis.h>
#include "iam/tenant.h"

/**
 * The membership of `user_id` in `org_id` ended: in `tx`, cut every token of the user
 * scoped to that organization on every node (one change-feed entry, no row per
 * token), revoke the refresh grants bound to it and forget it as a session's choice.
 */
pc_status pc_org_member_cut(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                            const char *org_id);
#endif
