// SPDX-License-Identifier: Apache-2.0
// Which store an end-to-end server runs on: SQLite in its data directory, or,
// when PC_E2E_PG_URI names a PostgreSQL server, a fresh database there.
import { execFileSync } from 'node:child_process';

let databases = 0;

/** Extra server environment selecting the store for one server. */
export function storeEnv() {
  const base = process.env.PC_E2E_PG_URI;
  if (!base) return {};
  databases += 1;
  const name = `e2e_${process.pid}_${Date.now().toString(36)}_${databases}`;
  execFileSync('psql', [base, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`]);
  const uri = new URL(base);
  uri.pathname = `/${name}`;
  return { PORTCULLIS_STORE: uri.toString() };
}

/** "postgresql" or "sqlite", for test names. */
export const storeName = process.env.PC_E2E_PG_URI ? 'postgresql' : 'sqlite';

/**
 * SQL (for SQLite and PostgreSQL alike) taking a store at schema 7 back to what schema 6
 * left: the people columns and indexes removed (tests of older migrations use it before
 * setting schema_version lower).
 */
export const UNDO_SCHEMA_7 = [
  'DROP TABLE IF EXISTS link_tokens', 'DROP TABLE IF EXISTS invitations',
  'DROP INDEX IF EXISTS users_lower_username', 'DROP INDEX IF EXISTS users_lower_email', 'DROP INDEX IF EXISTS users_created',
  ...['given_name', 'family_name', 'picture', 'status', 'disabled_until', 'email_verified', 'attributes', 'last_login_at']
    .map((c) => `ALTER TABLE users DROP COLUMN ${c}`),
  ...['internal', 'access_token_alg', 'id_token_signed_response_alg'].map((c) => `ALTER TABLE applications DROP COLUMN ${c}`),
].join('; ') + ';';

/** SQL taking a store at schema 8 back to schema 7: no policies, no applications.token_claims. */
export const UNDO_SCHEMA_8 = 'DROP TABLE IF EXISTS policies; ALTER TABLE applications DROP COLUMN token_claims;';

/** SQL taking a store at schema 9 back to schema 8: no webhook tables. */
export const UNDO_SCHEMA_9 = 'DROP TABLE IF EXISTS webhook_attempts; DROP TABLE IF EXISTS webhook_messages; DROP TABLE IF EXISTS webhooks;';

/** SQL taking a store at schema 10 back to schema 9: usernames and emails unique by lower() again. */
export const UNDO_SCHEMA_10 = 'DROP INDEX IF EXISTS users_fold_username; DROP INDEX IF EXISTS users_fold_email;'
  + ' ALTER TABLE users DROP COLUMN username_fold; ALTER TABLE users DROP COLUMN email_fold;'
  + ' CREATE UNIQUE INDEX users_lower_username ON users(tenant_id, lower(username));'
  + ' CREATE UNIQUE INDEX users_lower_email ON users(tenant_id, lower(email));';

/** SQL taking a store at schema 11 back to schema 10: no client JWT, PAR, DPoP or back-channel logout storage (issue #18). */
export const UNDO_SCHEMA_11 = 'DROP TABLE IF EXISTS par_requests; DROP TABLE IF EXISTS used_jtis; ' +
  ['token_endpoint_auth_method', 'jwks', 'jwks_uri', 'require_par'].map((c) => `ALTER TABLE applications DROP COLUMN ${c};`).join(' ') +
  ' ALTER TABLE refresh_grants DROP COLUMN jkt; ALTER TABLE applications DROP COLUMN backchannel_logout_uri;' +
  ' ALTER TABLE applications DROP COLUMN secret_enc;' +
  ' DROP TABLE IF EXISTS logout_messages; DROP TABLE IF EXISTS session_clients;';

/** SQL taking a store at schema 12 back to schema 11: no organizations (API.md §18). */
export const UNDO_SCHEMA_12 = 'DROP TABLE IF EXISTS organization_tokens; DROP TABLE IF EXISTS memberships;'
  + ' DROP TABLE IF EXISTS organizations; ALTER TABLE authorization_codes DROP COLUMN org_id;'
  + ' ALTER TABLE refresh_grants DROP COLUMN org_id; ALTER TABLE sessions DROP COLUMN org_id;';

/** SQL taking a store at schema 13 back to schema 12: no identity providers (API.md §14). */
export const UNDO_SCHEMA_13 = 'ALTER TABLE sessions DROP COLUMN idp; DROP TABLE IF EXISTS federation_states;'
  + ' DROP TABLE IF EXISTS user_identities; DROP TABLE IF EXISTS identity_providers;';

/**
 * SQL taking a store at schema 14 back to schema 13: no consents or device_codes tables, no
 * applications.registration_token_hash
 * (the consents sessions carried before are not put back; tests set them as they need).
 */
export const UNDO_SCHEMA_14 = 'DROP TABLE IF EXISTS device_codes; DROP TABLE IF EXISTS consents;'
  + ' ALTER TABLE applications DROP COLUMN registration_token_hash;';

/** SQL taking a store at schema 15 back to schema 14 (issue 20): no failure counters, no user-list indexes. */
export const UNDO_SCHEMA_15 = 'DROP TABLE IF EXISTS failure_counters; DROP INDEX IF EXISTS users_tenant_id;'
  + ' DROP INDEX IF EXISTS users_tenant_status; DROP INDEX IF EXISTS users_search;';

/** SQL taking a store at schema 16 back to schema 15: codes bound to no DPoP key (RFC 9449 §10). */
export const UNDO_SCHEMA_16 = 'ALTER TABLE authorization_codes DROP COLUMN dpop_jkt;';

/** SQL taking a store at schema 17 back to schema 16: waiting MFA sign-ins without their directory. */
export const UNDO_SCHEMA_17 = 'ALTER TABLE mfa_tokens DROP COLUMN idp;';

/** SQL taking a store at schema 18 back to schema 17 (issue 20): no trigram user search (SQLite), no disabled-users index. */
export const UNDO_SCHEMA_18 = 'DROP INDEX IF EXISTS users_tenant_inactive;'
  + (storeName === 'sqlite' ? ' DROP TRIGGER IF EXISTS users_trigrams_insert; DROP TRIGGER IF EXISTS users_trigrams_delete;'
    + ' DROP TRIGGER IF EXISTS users_trigrams_update; DROP TABLE IF EXISTS users_trigrams;' : '');

const UNDO = [null, null, null, null, null, null, null, UNDO_SCHEMA_7, UNDO_SCHEMA_8, UNDO_SCHEMA_9,
  UNDO_SCHEMA_10, UNDO_SCHEMA_11, UNDO_SCHEMA_12, UNDO_SCHEMA_13, UNDO_SCHEMA_14, UNDO_SCHEMA_15,
  UNDO_SCHEMA_16, UNDO_SCHEMA_17, UNDO_SCHEMA_18];

/** SQL undoing every migration after schema `n`, newest first, and setting the version to n. */
export const undoAfter = (n) => `${UNDO.slice(n + 1).reverse().join(' ')} UPDATE schema_version SET version = ${n};`;

/** SQL undoing every migration after schema 6, newest first (tests of older migrations). */
export const UNDO_AFTER_SCHEMA_6 = UNDO.slice(7).reverse().join(' ');
