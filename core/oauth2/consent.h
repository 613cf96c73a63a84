/* SPDX-License-Identifier: Apache-2.0 */
/* Consent (OIDC Core §3.1.2.4): which scopes a person approved for a client, kept per user. */
#ifndef PC_OAUTH2_CONSENT_H
#define PC_OAUTH2_CONSENT_H
#include "iam/tenant.h"

/** What a person's consent says about a request for some scopes. */
typedef enum pc_authz_consent {
    PC_AUTHZ_CONSENT_COVERED = 0, /**< approved before, these scopes or more */
    PC_AUTHZ_CONSENT_NONE,        /**< the client was never approved by this person */
    PC_AUTHZ_CONSENT_MORE,        /**< approved, but for fewer scopes than asked now */
    PC_AUTHZ_CONSENT_UNKNOWN      /**< the store cannot say */
} pc_authz_consent;

/**
 * Does user_id's consent for client_id cover `scope`? Unless it does,
 * *missing (when not NULL) receives the scopes not yet approved (new).
 */
pc_authz_consent pc_consent_check(const pc_tenant *t, const char *user_id, const char *client_id,
                                  const char *scope, char **missing);
/** Remember that user_id approved `scope` for client_id (added to what was approved before). */
pc_status pc_consent_grant(const pc_tenant *t, const char *user_id, const char *client_id,
                           const char *scope);
/** The user's consent record for client_id (new), PC_ERR_NOT_FOUND, or PC_ERR_STORAGE. */
pc_status pc_consent_get(const pc_tenant *t, const char *user_id, const char *client_id,
                         json_t **out);
/** Every consent of the user (a new JSON array of records, at most 1000). */
pc_status pc_consent_list(const pc_tenant *t, const char *user_id, json_t **out);
/** Withdraw user_id's consent for client_id (in tx, may be NULL): the next request asks again. */
pc_status pc_consent_revoke(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                            const char *client_id);
/**
 * After a consent is withdrawn: revoke the refresh grants user_id holds at
 * client_id, and the access tokens minted from them.
 */
pc_status pc_consent_revoke_grants(const pc_tenant *t, const char *user_id, const char *client_id);
/** The items of `scope` not in `granted`, space-separated (new; "" when none). */
char *pc_scope_minus(const char *scope, const char *granted);
#endif
