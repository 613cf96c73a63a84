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

/** SQL taking a store at schema 10 back to schema 9 (issue 20): no failure counters, no user-list indexes. */
export const UNDO_SCHEMA_10 = 'DROP TABLE IF EXISTS failure_counters; DROP INDEX IF EXISTS users_tenant_id;'
  + ' DROP INDEX IF EXISTS users_tenant_status; DROP INDEX IF EXISTS users_search;';

/** SQL undoing every migration after schema 6, newest first (tests of older migrations). */
export const UNDO_AFTER_SCHEMA_6 = `${UNDO_SCHEMA_10} ${UNDO_SCHEMA_9} ${UNDO_SCHEMA_8} ${UNDO_SCHEMA_7}`;
