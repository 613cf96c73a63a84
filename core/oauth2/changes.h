/* SPDX-License-Identifier: Apache-2.0 */
/* Revocations and cache invalidations: written to the store's change feed, replayed by every node into memory. */
#ifndef PC_OAUTH2_CHANGES_H
#define PC_OAUTH2_CHANGES_H
#include <portcullis/portcullis.h>

/** Called for every entry replayed: invalidations ("tenant", "keys", "app", "perm") and
 * revocations ("jti", "sid", "grant", "client", "user", "member", "consent"). */
typedef void (*pc_change_listener)(const pc_change *c);

/** Load the feed and start following it; listeners must be added before. */
pc_status pc_changes_start(void);
void pc_changes_stop(void);
void pc_changes_listen(pc_change_listener fn);
/** Read the feed now: call after committing a transaction that wrote to it. */
void pc_changes_sync(void);

/** Append an entry in `tx`; it takes effect everywhere once committed and read. */
pc_status pc_change_write(pc_store_tx *tx, const char *tenant_id, const char *kind, const char *key,
                          int64_t expires_at);

/**
 * Is this access token revoked: its jti, its session, its refresh grant, or
 * its client (for tokens issued before)? Any of them may be NULL.
 */
int pc_changes_is_revoked(const char *tenant_id, const char *jti, const char *sid,
                          const char *grant_id, const char *client_id, int64_t iat);
/**
 * Is what this node knows of revocations current: the last reading of the feed
 * succeeded, and (while following it) happened within a few poll intervals?
 * When not, a token's revocation status cannot be known (the store is down).
 */
int pc_changes_fresh(void);
/** Was every token of this user issued at `iat` cut (disabled, frozen, reset)? */
int pc_changes_user_cut(const char *tenant_id, const char *user_id, int64_t iat);
/** Was the user's membership of organization `org_id` removed after `iat` (API.md §18)? */
int pc_changes_member_cut(const char *tenant_id, const char *user_id, const char *org_id,
                          int64_t iat);
/** Did the user withdraw consent for `client_id` after `iat` (API.md §19)? */
int pc_changes_consent_cut(const char *tenant_id, const char *user_id, const char *client_id,
                           int64_t iat);
/** Has session `sid` ended? */
int pc_changes_sid_ended(const char *sid);
#endif
