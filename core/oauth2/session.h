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
/**
 * End every open session of a user but `keep_sid` (may be NULL), with the
 * tokens issued in them, in `tx` (then call pc_changes_sync() once committed).
 */
pc_status pc_session_end_others(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                                const char *keep_sid);
/**
 * May session record `s` still be used at `now`: not ended (here or through
 * the change feed), not past its session_ttl, and, with session_idle_ttl,
 * used within that many seconds? A session that was never used counts from
 * its creation.
 */
int pc_session_usable(const json_t *s, int64_t now);
/**
 * Note a use of session `s` (a refresh, an SSO sign-in) for the idle timeout.
 * last_used is kept to the minute: at most one write a minute per session.
 */
pc_status pc_session_touch(const pc_tenant *t, const json_t *s, int64_t now);
/**
 * The session `sid` of tenant `t` if it may still be used (*s new): PC_OK;
 * PC_ERR_NOT_FOUND if it is gone, ended, expired or idle; PC_ERR_STORAGE.
 * Counts as a use (pc_session_touch).
 */
pc_status pc_session_use(const pc_tenant *t, const char *sid, json_t **s);
#endif
