/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: the storage backend operations (SQLite, PostgreSQL, ...). */
#ifndef PORTCULLIS_STORAGE_H
#define PORTCULLIS_STORAGE_H

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Entities of the store. Records cross the ABI as JSON objects whose members
 * are the columns below; times are Unix seconds (integers), lists are JSON
 * arrays, absent optional values are JSON null. Every entity but
 * PC_ENT_TENANT carries "tenant_id", which every operation binds: a record of
 * one tenant is never visible through another. Appeared in ABI 1.0.
 *
 *  TENANT      id, slug, name, settings{}, created_at
 *  KEY         id (kid), tenant_id, alg, public_jwk{}, private_enc, created_at,
 *              activates_at, retires_at|null, expires_at|null
 *  USER        id, tenant_id, username, email|null, name|null, phone_number|null,
 *              password_hash|null, created_at, updated_at, deleted_at|null
 *  APPLICATION id, tenant_id, client_id, name, type, secret_hash|null, grant_types[],
 *              redirect_uris[], post_logout_redirect_uris[], scopes[], resources[],
 *              first_party, created_at, updated_at
 *  ROLE        id, tenant_id, name, description|null, permissions[], created_at, updated_at
 *  GROUP       id, tenant_id, name, description|null, created_at, updated_at
 *  SESSION     id, tenant_id, user_id, client_id|null, amr[], auth_time, created_at,
 *              expires_at, ended_at|null, ip|null, secret_hash|null (SHA-256 hex of a
 *              browser session's cookie secret; since schema 2), consents[]|null
 *              (what the user approved in this session; since schema 2; since
 *              schema 6 each entry is {"client_id", "scope"}: the client and the
 *              space-separated scopes approved for it, before that a client_id),
 *              last_used|null (when a refresh or an SSO sign-in last used it, kept to
 *              the minute; since schema 5)
 *  REFRESH     a refresh grant (a token family; since schema 4, one record per grant,
 *              not per token): id, tenant_id, client_id, user_id|null, sid|null,
 *              scope, amr[], auth_time|null, generation and secret_hash (of its
 *              one valid token: SHA-256 hex of the token's secret), created_at,
 *              expires_at, rotated_at|null, revoked_at|null, prev_hash|null (the
 *              secret hash of the token the last refresh_rotate replaced; since schema 5)
 *  AUDIT       id, tenant_id, type, time, actor, subject|null, ip|null, details{}
 *  PROVIDER    id, tenant_id, name, kind, plugin, config{}, created_at, updated_at
 *  MFA         id, tenant_id, user_id, method, state, secret_enc|null, data{},
 *              created_at, updated_at
 *  CODE        id (SHA-256 hex of an authorization code), tenant_id, client_id,
 *              redirect_uri, code_challenge|null, nonce|null, user_id, sid, scope, amr[],
 *              auth_time, created_at, expires_at, used_at|null, family_id|null,
 *              access_jti|null, access_exp|null (appeared in ABI 1.0, schema 2)
 *  MFA_TOKEN   id (SHA-256 hex of an mfa_token), tenant_id, user_id, client_id, scope,
 *              methods[], attempts, ip|null, created_at, expires_at, used_at|null,
 *              updated_at (appeared in ABI 1.0, schema 3); idp|null, the directory
 *              the password went through (federation, schema 16)
 *  CONSENT_NONCE id (SHA-256 hex of the one-time nonce of a rendered consent form),
 *              tenant_id, created_at, expires_at. Using the form removes the record;
 *              remove() answering PC_ERR_NOT_FOUND means it was used already.
 *              (appeared in ABI 1.0, schema 6)
 *  POLICY      id, tenant_id, name, description|null, effect ("allow"|"deny"), actions[],
 *              principals{roles[],groups[],users[]}, condition{}|null, created_at,
 *              updated_at (an authorization policy, API.md §15; appeared in ABI 1.0, schema 8)
 *
 * Since schema 3 APPLICATION also has default_providers{}|null
 * ({"email": provider id, "sms": provider id}); since schema 8 token_claims{}|null
 * ({"claim": "attributes.key"}, API.md §16).
 *
 * Since schema 7 USER also has given_name|null, family_name|null, picture|null,
 * status ("active"|"disabled"), disabled_until|null, email_verified (bool),
 * attributes{}|null, last_login_at|null; username and email are unique per tenant
 * without regard to case, and get() by either, and list() filters on either,
 * ignore case. list() of USER also takes the filters "role_id" (held directly or
 * through a group), "group_id", "active_at" and "disabled_at" (Unix seconds: the
 * status at that time, a freeze counted until it ends) and "created_before".
 * APPLICATION also has internal (bool), access_token_alg|null and
 * id_token_signed_response_alg|null.
 *
 *  LINK_TOKEN  id (SHA-256 hex of the token of an emailed link), tenant_id, kind
 *              ("password_reset", "email_verification", "invitation"), user_id|null,
 *              invitation_id|null, email|null, created_at, expires_at. Using the link
 *              removes the record; remove() answering PC_ERR_NOT_FOUND means it was
 *              used already. (schema 7)
 *  INVITATION  id, tenant_id, email, name|null, roles[] and groups[] (names), status
 *              ("pending", "accepted", "revoked"), invited_by|null, user_id|null (who
 *              accepted), created_at, expires_at, updated_at; list() filters
 *              "pending_at" and "expired_at" (Unix seconds). (schema 7)
 *
 * Webhooks (appeared in ABI 1.0, schema 9; times in *_ms columns are Unix
 * milliseconds, the retry schedule being finer than a second in tests):
 *  WEBHOOK     id, tenant_id, url, events[], enabled, description|null, secret_enc,
 *              old_secret_enc|null, old_secret_until|null (the rotated-out secret
 *              keeps signing until then), failing_since_ms|null (first failure since
 *              the last success), created_at, updated_at
 *  WEBHOOK_MESSAGE  the transactional outbox: one event to deliver to one webhook.
 *              id (the webhook-id header), tenant_id, webhook_id, event_id, type,
 *              payload (the exact body, text), status ("pending", "delivered",
 *              "failed": given up), attempts, next_attempt_ms, locked_until_ms|null,
 *              locked_by|null (the lease of the node delivering it), created_at,
 *              done_at|null. Removing its webhook removes it.
 *  WEBHOOK_ATTEMPT  one delivery attempt: id, tenant_id, webhook_id, message_id,
 *              event_id, type, attempt (from 1), status ("pending", "delivered",
 *              "failed"), response_status|null, error|null, created_at,
 *              next_attempt_at|null, node|null. Removing its webhook removes it.
 *
 * Client authentication with JWTs and pushed authorization requests (schema 11):
 * APPLICATION also has token_endpoint_auth_method|null, jwks{}|null, jwks_uri|null and
 * require_par (bool); REFRESH also has jkt|null (the RFC 7638 thumbprint of the DPoP key a
 * public client's refresh tokens are bound to, RFC 9449 §5).
 *  USED_JTI    id (SHA-256 hex naming a used JWT: its kind, client and jti), tenant_id,
 *              created_at, expires_at. insert() answering PC_ERR_CONFLICT means the
 *              JWT was used already.
 *  PAR         id (SHA-256 hex of the secret part of a request_uri), tenant_id,
 *              client_id, params{} (the pushed authorization request), created_at,
 *              expires_at. Using it removes the record; remove() answering
 *              PC_ERR_NOT_FOUND means it was used already.
 *  SESSION_CLIENT an application (with a back-channel logout URI) that received tokens of a
 *              session: id (SHA-256 hex of sid and client_id), tenant_id, sid, client_id,
 *              user_id|null, created_at, expires_at. list() filters on "sid".
 *  LOGOUT_MESSAGE the back-channel logout outbox (OIDC Back-Channel Logout 1.0): one logout
 *              to post to one application. id, tenant_id, client_id, url, sid, sub|null,
 *              status ("pending", "delivered", "failed": given up), attempts,
 *              next_attempt_ms, locked_until_ms|null, locked_by|null, error|null,
 *              created_at, done_at|null. APPLICATION also has backchannel_logout_uri|null
 *              and secret_enc|null (the client secret sealed with the master key, kept
 *              only for client_secret_jwt, RFC 7523 §2.2).
 * Organizations (API.md §18; appeared in ABI 1.0, schema 12):
 *  ORGANIZATION id, tenant_id, slug (unique in the tenant), name, logo_url|null,
 *              created_at, updated_at. Removing it removes its memberships.
 *  MEMBERSHIP  id, tenant_id, organization_id, user_id (the pair unique), roles[]
 *              (role ids), created_at, updated_at; list() filters on organization_id
 *              and user_id.
 *  ORG_TOKEN   id (SHA-256 hex of an organization_token), tenant_id, user_id,
 *              client_id, scope, sid, amr[], auth_time, created_at, expires_at. Using
 *              it removes the record; remove() answering PC_ERR_NOT_FOUND means it was
 *              used already.
 * Since schema 12 CODE, REFRESH and SESSION also have org_id|null: the organization
 * the tokens are scoped to (for a session: the choice remembered for the next sign-in).
 * Federation (issue #14; appeared in ABI 1.0, schema 13):
 *  IDENTITY_PROVIDER  id, tenant_id, name (unique per tenant), display_name, kind
 *              ("oidc", "oauth2", "ldap": the idp plugin), config{} (its secret members
 *              sealed with the master key), enabled, jit, default_roles[] (names),
 *              link_by_email ("never"|"verified"), trust_mfa (bool), created_at,
 *              updated_at
 *  IDENTITY    an external identity linked to a user: id, tenant_id, user_id,
 *              provider_id, subject, email|null, linked_at; (tenant_id, provider_id,
 *              subject) and (provider_id, user_id) are unique. Removing the user or
 *              the provider removes it.
 *  FED_STATE   a sign-in in flight at an upstream: id (SHA-256 hex of the state),
 *              tenant_id, provider_id, nonce, code_verifier, browser_hash (SHA-256 hex
 *              of the browser's binding cookie), return_to|null (the authorization
 *              request to resume), link_user_id|null (linking from the account page),
 *              created_at, expires_at. Used up by remove(), as CONSENT_NONCE.
 * Since schema 13 SESSION also has idp|null: the identity provider's name when the
 * session was signed in through one.
 * Consents and device authorization (issue #18; appeared in ABI 1.0, schema 14;
 * since then SESSION consents is always null):
 *  CONSENT     id, tenant_id, user_id, client_id, scope (the space-separated scopes the
 *              user approved for the client), created_at (granted), updated_at; one
 *              per user and client. Removing the user removes it.
 *  APPLICATION also has registration_token_hash|null (SHA-256 hex of the RFC 7592
 *              registration access token of a dynamically registered client)
 *  DEVICE_CODE id (SHA-256 hex of an RFC 8628 device_code), tenant_id, client_id,
 *              user_code (SHA-256 hex of the normalised user code; unique, get() by it),
 *              scope, status ("pending", "approved", "denied"), poll_interval (seconds
 *              between polls), last_poll_at|null, user_id|null, created_at, expires_at
 * DPoP authorization code binding (RFC 9449 §10; schema 16): CODE also has
 * dpop_jkt|null, the thumbprint of the key the code may be redeemed with.
 */
typedef enum pc_entity {
    PC_ENT_TENANT = 0,
    PC_ENT_KEY,
    PC_ENT_USER,
    PC_ENT_APPLICATION,
    PC_ENT_ROLE,
    PC_ENT_GROUP,
    PC_ENT_SESSION,
    PC_ENT_REFRESH,
    PC_ENT_AUDIT,
    PC_ENT_PROVIDER,
    PC_ENT_MFA,
    PC_ENT_CODE,
    PC_ENT_MFA_TOKEN,       /**< appeared in ABI 1.0, schema 3 */
    PC_ENT_CONSENT_NONCE,   /**< appeared in ABI 1.0, schema 6 */
    PC_ENT_LINK_TOKEN,      /**< appeared in ABI 1.0, schema 7 */
    PC_ENT_INVITATION,      /**< appeared in ABI 1.0, schema 7 */
    PC_ENT_POLICY,          /**< appeared in ABI 1.0, schema 8 */
    PC_ENT_WEBHOOK,         /**< appeared in ABI 1.0, schema 9 */
    PC_ENT_WEBHOOK_MESSAGE, /**< appeared in ABI 1.0, schema 9 */
    PC_ENT_WEBHOOK_ATTEMPT, /**< appeared in ABI 1.0, schema 9 */
    /* client authentication with JWTs and pushed authorization requests (issue #18) */
    PC_ENT_USED_JTI,       /**< appeared in ABI 1.0, schema 11 */
    PC_ENT_PAR,            /**< appeared in ABI 1.0, schema 11 */
    PC_ENT_SESSION_CLIENT, /**< appeared in ABI 1.0, schema 11 */
    PC_ENT_LOGOUT_MESSAGE, /**< appeared in ABI 1.0, schema 11 */
    /* organizations (API.md §18) */
    PC_ENT_ORGANIZATION, /**< appeared in ABI 1.0, schema 12 */
    PC_ENT_MEMBERSHIP,   /**< appeared in ABI 1.0, schema 12 */
    PC_ENT_ORG_TOKEN,    /**< appeared in ABI 1.0, schema 12 */
    /* federation (issue #14) */
    PC_ENT_IDENTITY_PROVIDER, /**< appeared in ABI 1.0, schema 13 */
    PC_ENT_IDENTITY,          /**< appeared in ABI 1.0, schema 13 */
    PC_ENT_FED_STATE,         /**< appeared in ABI 1.0, schema 13 */
    /* consents and device authorization (issue #18) */
    PC_ENT_CONSENT,     /**< appeared in ABI 1.0, schema 14 */
    PC_ENT_DEVICE_CODE, /**< appeared in ABI 1.0, schema 14 */
    PC_ENT_COUNT_
} pc_entity;

/** Kinds of principal-link rows (who holds which role, who is in which group). */
typedef enum pc_link {
    PC_LINK_PRINCIPAL_ROLE = 0, /**< (principal id, role id): users and applications hold roles */
    PC_LINK_GROUP_ROLE,         /**< (group id, role id) */
    PC_LINK_GROUP_MEMBER,       /**< (group id, user id) */
    PC_LINK_APP_PROVIDER,       /**< (application id, provider id) */
    PC_LINK_COUNT_
} pc_link;

/**
 * A list query. `filters` (borrowed, may be NULL) maps column names to exact
 * values (null: IS NULL; since schema 18, an array of at most 128 values: any of
 * them); "column>=" to an integer lower bound; the key "q"
 * means a case-insensitive substring over the entity's searchable columns. Results come in id order (ids are UUIDv7, so creation
 * order); `after` is the last id of the previous page (exclusive) or NULL;
 * `descending` reverses the order. Appeared in ABI 1.0.
 */
typedef struct pc_store_query {
    const json_t *filters;
    const char *after;
    unsigned limit;
    int descending;
} pc_store_query;

/** A handle to one transaction, opened by begin(); opaque to the core. */
typedef struct pc_store_tx pc_store_tx;

/**
 * One entry of the change feed: revocations and cache invalidations every
 * node replays. kind is one of "jti", "sid", "client", "user" (revocations,
 * kept until expires_at) or "tenant", "keys", "app", "perm", "subject" (invalidations).
 */
typedef struct pc_change {
    int64_t seq;
    char tenant_id[40];
    char kind[16];
    char key[128];
    int64_t at;
    int64_t expires_at;
} pc_change;

/** A fixed window of failures of one key (cluster-wide failure counters; issue 20, schema 15). */
typedef struct pc_failure_window {
    int64_t failures;
    int64_t window_start;
    int64_t last_failure;
} pc_failure_window;

/**
 * Storage operations. Every operation that takes a `pc_store_tx *` runs in
 * that transaction, or, when it is NULL, on its own (autocommit). Returned
 * JSON (`json_t **out`) is new: the caller json_decref()s it. Input JSON is
 * borrowed. All operations are thread-safe; a transaction is used by one
 * thread at a time. Unique constraint violations return PC_ERR_CONFLICT and,
 * if `conflict` is not NULL, the offending column name in it. Appeared in ABI 1.0.
 */
typedef struct pc_storage_ops {
    pc_plugin base;
    /** URI scheme this backend serves: "sqlite", "postgresql". */
    const char *uri_scheme;

    /** Connect (state comes from init, which receives {"uri":..., "pool_size":N}). */
    pc_status (*open)(void *state);
    /** Apply pending migrations; *from and *to receive the versions. Refuses a newer store. */
    pc_status (*migrate)(void *state, int *from, int *to);
    /** Schema version of the store and of this plugin. */
    pc_status (*schema_version)(void *state, int *store, int *supported);
    /**
     * Is the store reachable and able to write now? The SQL backends commit a
     * one-row write, so a read-only file, a full disk or a read-only standby
     * fail it. The host calls it at most about once a second (/readyz).
     */
    pc_status (*ping)(void *state);

    /**
     * Transactions. Any failed operation inside one fails the transaction:
     * later operations return PC_ERR_STORAGE and commit() rolls back and
     * returns PC_ERR_STORAGE, on every backend alike.
     */
    pc_status (*begin)(void *state, pc_store_tx **tx);
    pc_status (*commit)(pc_store_tx *tx); /**< ends the transaction, even on failure */
    void (*rollback)(pc_store_tx *tx);    /**< ends the transaction; NULL is a no-op */

    /** Insert a full record (id included). */
    pc_status (*insert)(void *state, pc_store_tx *tx, pc_entity ent, const json_t *rec,
                        char *conflict, size_t conflict_len);
    /** Fetch the one record whose `field` (id or a unique column) equals `value`. */
    pc_status (*get)(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                     const char *field, const char *value, json_t **out);
    /** A page of records as a JSON array. */
    pc_status (*list)(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                      const pc_store_query *q, json_t **out);
    /** Set the columns present in `patch` on record `id`. PC_ERR_NOT_FOUND if none. */
    pc_status (*update)(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                        const char *id, const json_t *patch, char *conflict, size_t conflict_len);
    /** Delete record `id` and, for tenants, users, groups and roles, their links. */
    pc_status (*remove)(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                        const char *id);

    /** Add a link (idempotent) / remove one / remove all of `a`'s (b NULL). */
    pc_status (*link_add)(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                          const char *a, const char *b);
    pc_status (*link_remove)(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                             const char *a, const char *b);
    /** The b ids linked to a (or, with reverse, the a ids linked to b), as a JSON array. */
    pc_status (*link_list)(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                           const char *id, int reverse, json_t **out);

    /** Effective permissions of a principal: union of its roles' and its groups' roles'. */
    pc_status (*principal_permissions)(void *state, pc_store_tx *tx, const char *tenant_id,
                                       const char *principal_id, json_t **out);
    /** Names of the principal's effective roles (direct and through groups). */
    pc_status (*principal_roles)(void *state, pc_store_tx *tx, const char *tenant_id,
                                 const char *principal_id, json_t **out);

    /**
     * Not called by the host since schema 4 (see refresh_rotate); may be NULL.
     * It took a per-token record the way code_take takes a code.
     */
    pc_status (*refresh_take)(void *state, pc_store_tx *tx, const char *tenant_id, const char *id,
                              int64_t now, json_t **out);
    /**
     * Revoke the refresh grants whose `column` (id|sid|user_id|client_id) is
     * `value`; *revoked (may be NULL) receives the ids of those it revoked.
     */
    pc_status (*refresh_revoke)(void *state, pc_store_tx *tx, const char *tenant_id,
                                const char *column, const char *value, int64_t now,
                                json_t **revoked);
    /** End every open session of a user; the ended ids in *ended. */
    pc_status (*sessions_end)(void *state, pc_store_tx *tx, const char *tenant_id,
                              const char *user_id, int64_t now, json_t **ended);

    /** Append to the change feed (seq is assigned). */
    pc_status (*change_add)(void *state, pc_store_tx *tx, const pc_change *c);
    /** Entries with seq > after, oldest first, at most max; *n receives the count. */
    pc_status (*change_since)(void *state, int64_t after, pc_change *buf, size_t max, size_t *n);
    /** Drop feed entries that expired before `now`. */
    pc_status (*change_purge)(void *state, int64_t now);
    /**
     * Delete the records of `ent` whose integer `column` is before `before`
     * (retention: audit events, ended sessions, expired refresh tokens).
     */
    pc_status (*expire)(void *state, pc_entity ent, const char *column, int64_t before);

    /**
     * Take an authorization code (PC_ENT_CODE `id`) atomically, once: if it is
     * unused and not expired at `now`, mark it used and return it in *out; if
     * it was used already, PC_ERR_CONFLICT with the record in *out (a replay);
     * otherwise (unknown, expired) PC_ERR_NOT_FOUND. Appeared in ABI 1.0 (the
     * host reads it only when struct_size covers it).
     */
    pc_status (*code_take)(void *state, pc_store_tx *tx, const char *tenant_id, const char *id,
                           int64_t now, json_t **out);
    /**
     * Block until another node announces a change-feed entry (PC_OK) or
     * `timeout_ms` passes (PC_DECLINED). Called from one thread only.
     * PC_ERR_UNAVAILABLE at once (or a NULL member) where the backend cannot
     * announce: nodes then poll. Appeared in ABI 1.0.
     */
    pc_status (*change_wait)(void *state, int timeout_ms);
    /**
     * Advance refresh grant `id` from generation `from` to from + 1 if it is
     * at `from` with secret hash `secret_hash`, belongs to `client_id`, is not
     * revoked and not expired at `now`: set its secret_hash to `next_hash`,
     * its expires_at, and rotated_at = `now`, and return the updated record
     * in *out (PC_OK). If it is not revoked and its generation is already
     * past `from` (a replay, or the loser of two concurrent uses; whatever its
     * client), PC_ERR_CONFLICT with the record; otherwise PC_ERR_NOT_FOUND.
     * One conditional write decides races. Appeared in ABI 1.0 with schema 4;
     * since schema 5 it also sets prev_hash to the secret hash it replaced.
     */
    pc_status (*refresh_rotate)(void *state, pc_store_tx *tx, const char *tenant_id, const char *id,
                                int64_t from, const char *client_id, const char *secret_hash,
                                const char *next_hash, int64_t expires_at, int64_t now,
                                json_t **out);
    /**
     * The grace retry of a refresh whose answer was lost: advance refresh
     * grant `id` from generation `from` to from + 1 if it is at `from`, its
     * prev_hash is `prev_hash` (the token the last refresh_rotate replaced),
     * that rotation happened at or after `not_before`, and it belongs to
     * `client_id`, is not revoked and not expired at `now`: set its
     * secret_hash to `next_hash` and its expires_at, leave prev_hash and
     * rotated_at as they are (a retry never extends the window), and return
     * the updated record in *out (PC_OK). If it is not revoked but no longer
     * so (another use moved it on, or the window closed), PC_ERR_CONFLICT with
     * the record; otherwise PC_ERR_NOT_FOUND. One conditional write decides
     * races. Appeared in ABI 1.0 with schema 5 (the host reads it only when
     * struct_size covers it; without it there is no grace).
     */
    pc_status (*refresh_rotate_grace)(void *state, pc_store_tx *tx, const char *tenant_id,
                                      const char *id, int64_t from, const char *client_id,
                                      const char *prev_hash, int64_t not_before,
                                      const char *next_hash, int64_t expires_at, int64_t now,
                                      json_t **out);
    /**
     * How many records of `ent` in the tenant match `filters` (as list()'s, borrowed,
     * may be NULL): *n. Appeared in ABI 1.0 with schema 7 (the host reads it only
     * when struct_size covers it).
     */
    pc_status (*count)(void *state, pc_store_tx *tx, pc_entity ent, const char *tenant_id,
                       const json_t *filters, int64_t *n);
    /**
     * Claim one due webhook message for delivery by `node`: a message that is
     * "pending", due (next_attempt_ms <= now_ms), not leased to anyone
     * (locked_until_ms NULL or past), and whose webhook is enabled, oldest due
     * first. In one transaction it increments the message's attempts, leases
     * it (locked_by = node, locked_until_ms = now_ms + lease_ms), marks the
     * attempts of the message still "pending" (a node died delivering them) as
     * "failed" with error "interrupted", and inserts a "pending" WEBHOOK_ATTEMPT
     * `attempt_id` (attempt = the new attempts count, created_at = now_ms /
     * 1000, node). The claimed message in *out (PC_OK), or PC_ERR_NOT_FOUND
     * when none is due. Of concurrent claimers on any number of processes, one
     * gets each message; others skip it without waiting (PostgreSQL: FOR
     * UPDATE SKIP LOCKED). Appeared in ABI 1.0 with schema 9.
     */
    pc_status (*webhook_claim)(void *state, const char *node, int64_t now_ms, int64_t lease_ms,
                               const char *attempt_id, json_t **out);
    /**
     * Record the outcome of attempt `attempt_id` of message `message_id`:
     * set the attempt's columns present in `attempt` (status,
     * response_status, error, next_attempt_at), and, if `node` still holds the
     * message's lease, set its status, next_attempt_ms and done_at from
     * `message` and release the lease, in one transaction. PC_ERR_CONFLICT
     * when the lease had passed to another node (the attempt is recorded all
     * the same). Appeared in ABI 1.0 with schema 9.
     */
    pc_status (*webhook_settle)(void *state, const char *tenant_id, const char *message_id,
                                const char *node, const char *attempt_id, const json_t *attempt,
                                const json_t *message);
    /**
     * The outbox across tenants: *pending receives the number of "pending"
     * messages, *oldest the created_at of the oldest of them (0 if none).
     * Appeared in ABI 1.0 with schema 9.
     */
    pc_status (*webhook_stats)(void *state, int64_t *pending, int64_t *oldest);

    /* ---- back-channel logout (issue #18) ---- */
    /**
     * Claim one due logout message for delivery by `node`: "pending", due
     * (next_attempt_ms <= now_ms) and not leased (locked_until_ms NULL or past),
     * oldest due first; increment its attempts and lease it (locked_by = node,
     * locked_until_ms = now_ms + lease_ms). The claimed message in *out (PC_OK),
     * or PC_ERR_NOT_FOUND. Of concurrent claimers one gets each message.
     * Appeared in ABI 1.0 with schema 11.
     */
    pc_status (*logout_claim)(void *state, const char *node, int64_t now_ms, int64_t lease_ms,
                              json_t **out);
    /* ---- cluster-wide failure counters (issue 20; ABI 1.0, schema 15) ---- */
    /**
     * Count one failure of `key` (an opaque string of at most 64 characters)
     * in its fixed window of `window` seconds at `now`: a window that started
     * at or before now - window starts over at now with 1 failure. The
     * window's state after the failure in *out. Counters need not be durable
     * (PostgreSQL keeps them in an UNLOGGED table): a crash may forget them.
     * NULL where counters stay in each process (SQLite, one node).
     */
    pc_status (*failure_add)(void *state, const char *key, int64_t now, int64_t window,
                             pc_failure_window *out);
    /** The live window of `key` at `now` in *out, or PC_ERR_NOT_FOUND. May be NULL. */
    pc_status (*failure_get)(void *state, const char *key, int64_t now, int64_t window,
                             pc_failure_window *out);
    /** Forget the failures of `key`. May be NULL. */
    pc_status (*failure_clear)(void *state, const char *key);
    /** Drop windows that started before `before`. May be NULL. */
    pc_status (*failure_purge)(void *state, int64_t before);
    /* ---- end of cluster-wide failure counters ---- */
    /* ---- links of a page of records (issue 20; ABI 1.0, schema 18) ---- */
    /**
     * link_list() for each id of `ids` (a JSON array of at most 128 strings) in one
     * call: *out maps each of them to the JSON array link_list() would give for it
     * ([] where it is linked to nothing). May be NULL: callers then ask link_list().
     */
    pc_status (*link_list_many)(void *state, pc_store_tx *tx, pc_link kind, const char *tenant_id,
                                const json_t *ids, int reverse, json_t **out);
    /* ---- end of links of a page of records ---- */
} pc_storage_ops;

#ifdef __cplusplus
}
#endif
#endif
