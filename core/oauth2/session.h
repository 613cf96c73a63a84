/* SPDX-License-Identifier: Apache-2.0 */
/* Sessions: opened at sign-in, ended with every token issued in them. */
#ifndef PC_OAUTH2_SESSION_H
#define PC_OAUTH2_SESSION_H
#include <portcullis/portcullis.h>
#include "iam/tenant.h"

/** Open a session for a user in `tx`; sid receives its id. */
pc_status pc_session_open(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                          const char *client_id, const json_t *amr, int64_t auth_time,
                          const char *ip, char sid[37]);
/** pc_session_open for a browser session: `secret_hash` is the hash of its cookie secret (or NULL). */
pc_status pc_session_open_secret(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                                 const char *client_id, const json_t *amr, int64_t auth_time,
                                 const char *ip, const char *secret_hash, char sid[37]);
/**
 * End one session and revoke every token issued in it, in `tx` (call
 * pc_changes_sync() once committed). An already ended session is no error.
 */
pc_status pc_session_end(pc_store_tx *tx, const pc_tenant *t, const char *sid);
/**
 * End every session of a user and revoke their refresh tokens, in `tx`;
 * the revocations reach every node once committed (then call pc_changes_sync()).
 */
pc_status pc_session_end_all(pc_store_tx *tx, const pc_tenant *t, const char *user_id);
#endif
