/* SPDX-License-Identifier: Apache-2.0 */
/* Cutting every token and session of one user at once, on every node (disable, freeze, reset). */
#ifndef PC_OAUTH2_USER_CUT_H
#define PC_OAUTH2_USER_CUT_H
#include <portcullis/portcullis.h>
#include "iam/tenant.h"

/**
 * Make every token and session of the user inactive at once, on every node: the
 * change feed's "user" entry cuts tokens issued up to now (no row per token); the
 * sessions end and the refresh grants are revoked. In `tx`.
 */
pc_status pc_oauth2_user_cut(pc_store_tx *tx, const pc_tenant *t, const char *user_id);
#endif
