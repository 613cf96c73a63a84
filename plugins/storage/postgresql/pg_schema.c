/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL schema migrations: migrations[i] takes the store from version i to i+1. */
#include "pg_schema.h"

/* The same tables, columns and constraints as sqlite_schema.c, in PostgreSQL's
 * dialect: times are BIGINT Unix seconds, ids and JSON are TEXT. */
static const char migration_1[] =
    "CREATE TABLE tenants (id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " settings TEXT NOT NULL DEFAULT '{}', created_at BIGINT NOT NULL);"
    "CREATE TABLE signing_keys (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, alg TEXT NOT NULL,"
    " public_jwk TEXT NOT NULL, private_enc TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " activates_at BIGINT NOT NULL, retires_at BIGINT, expires_at BIGINT);"
    "CREATE INDEX signing_keys_tenant ON signing_keys(tenant_id);"
    "CREATE TABLE users (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " username TEXT NOT NULL, email TEXT, name TEXT, phone_number TEXT, password_hash TEXT,"
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT,"
    " UNIQUE (tenant_id, username), UNIQUE (tenant_id, email));"
    "CREATE TABLE applications (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " client_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, secret_hash TEXT,"
    " grant_types TEXT NOT NULL, redirect_uris TEXT NOT NULL,"
    " post_logout_redirect_uris TEXT NOT NULL, scopes TEXT NOT NULL, resources TEXT NOT NULL,"
    " first_party INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL, UNIQUE (tenant_id, client_id), UNIQUE (tenant_id, name));"
    "CREATE TABLE roles (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " description TEXT, permissions TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL, UNIQUE (tenant_id, name));"
    "CREATE TABLE user_groups (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " description TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    " UNIQUE (tenant_id, name));"
    "CREATE TABLE principal_roles (tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE "
    "CASCADE,"
    " principal_id TEXT NOT NULL, role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
    " PRIMARY KEY (principal_id, role_id));"
    "CREATE INDEX principal_roles_role ON principal_roles(role_id);"
    "CREATE TABLE group_roles (tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,"
    " role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE, PRIMARY KEY (group_id, "
    "role_id));"
    "CREATE INDEX group_roles_role ON group_roles(role_id);"
    "CREATE TABLE group_members (tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, PRIMARY KEY (group_id, "
    "user_id));"
    "CREATE INDEX group_members_user ON group_members(user_id);"
    "CREATE TABLE providers (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " kind TEXT NOT NULL, plugin TEXT NOT NULL, config TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL, UNIQUE (tenant_id, name));"
    "CREATE TABLE app_providers (tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
    " provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,"
    " PRIMARY KEY (application_id, provider_id));"
    "CREATE TABLE sessions (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, client_id TEXT,"
    " amr TEXT NOT NULL, auth_time BIGINT NOT NULL, created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL, ended_at BIGINT, ip TEXT);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE refresh_tokens (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, family_id TEXT NOT NULL,"
    " client_id TEXT NOT NULL, user_id TEXT, sid TEXT, scope TEXT NOT NULL, amr TEXT NOT NULL,"
    " auth_time BIGINT, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
    " rotated_at BIGINT, revoked_at BIGINT, access_jti TEXT, access_exp BIGINT);"
    "CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);"
    "CREATE INDEX refresh_tokens_sid ON refresh_tokens(sid);"
    "CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);"
    "CREATE TABLE audit_events (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, type TEXT NOT NULL,"
    " time BIGINT NOT NULL, actor TEXT NOT NULL, subject TEXT, ip TEXT, details TEXT NOT NULL);"
    "CREATE INDEX audit_events_tenant ON audit_events(tenant_id, id);"
    "CREATE TABLE mfa_factors (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, method TEXT NOT NULL,"
    " state TEXT NOT NULL, secret_enc TEXT, data TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL, UNIQUE (user_id, method));"
    "CREATE TABLE changes (seq BIGSERIAL PRIMARY KEY, tenant_id TEXT NOT NULL,"
    " kind TEXT NOT NULL, key TEXT NOT NULL, at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "CREATE INDEX changes_expiry ON changes(expires_at);";

/* 2: browser sessions keep only a hash of their cookie secret and the consents
 * given in them; authorization codes are kept hashed until redeemed once. */
static const char migration_2[] =
    "ALTER TABLE sessions ADD COLUMN secret_hash TEXT;"
    "ALTER TABLE sessions ADD COLUMN consents TEXT;"
    "CREATE UNIQUE INDEX sessions_secret ON sessions(secret_hash);"
    "CREATE TABLE authorization_codes (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, client_id TEXT NOT NULL,"
    " redirect_uri TEXT NOT NULL, code_challenge TEXT, nonce TEXT, user_id TEXT NOT NULL,"
    " sid TEXT NOT NULL, scope TEXT NOT NULL, amr TEXT NOT NULL, auth_time BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT, family_id TEXT,"
    " access_jti TEXT, access_exp BIGINT);"
    "CREATE INDEX authorization_codes_expiry ON authorization_codes(expires_at);";

/* 3: multi-factor sign-in. mfa_tokens hold the hashed tokens of sign-ins waiting
 * for a second factor; applications name their default delivery providers. */
static const char migration_3[] =
    "ALTER TABLE applications ADD COLUMN default_providers TEXT;"
    "CREATE TABLE mfa_tokens (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, client_id TEXT NOT NULL,"
    " scope TEXT NOT NULL, methods TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, ip TEXT,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT,"
    " updated_at BIGINT NOT NULL);"
    "CREATE INDEX mfa_tokens_expiry ON mfa_tokens(expires_at);";

/* 4: one row per refresh grant instead of one per token (see the SQLite schema). */
static const char migration_4[] =
    "DROP TABLE refresh_tokens;"
    "CREATE TABLE refresh_grants (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, client_id TEXT NOT NULL,"
    " user_id TEXT, sid TEXT, scope TEXT NOT NULL, amr TEXT NOT NULL, auth_time BIGINT,"
    " generation BIGINT NOT NULL, secret_hash TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL, rotated_at BIGINT, revoked_at BIGINT);"
    "CREATE INDEX refresh_grants_sid ON refresh_grants(sid);"
    "CREATE INDEX refresh_grants_user ON refresh_grants(user_id);"
    "CREATE INDEX refresh_grants_client ON refresh_grants(client_id);";

/* 5: the replaced refresh token's hash (the grace window) and a session's last use. */
static const char migration_5[] = "ALTER TABLE refresh_grants ADD COLUMN prev_hash TEXT;"
                                  "ALTER TABLE sessions ADD COLUMN last_used BIGINT;";

/* ---- 6: consent covers scopes; consent forms are single use (see the SQLite schema) ---- */
static const char migration_6[] =
    "UPDATE sessions s SET consents = (SELECT COALESCE(json_agg(json_build_object("
    "'client_id', e.v #>> '{}', 'scope', COALESCE((SELECT string_agg(x.value, ' ' ORDER BY x.n)"
    " FROM applications a, json_array_elements_text(a.scopes::json) WITH ORDINALITY x(value, n)"
    " WHERE a.tenant_id = s.tenant_id AND a.client_id = e.v #>> '{}'), ''))), '[]')::text"
    " FROM json_array_elements(s.consents::json) AS e(v) WHERE json_typeof(e.v) = 'string')"
    " WHERE s.consents IS NOT NULL AND json_typeof(s.consents::json) = 'array';"
    "CREATE TABLE consent_nonces (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "CREATE INDEX consent_nonces_expiry ON consent_nonces(expires_at);";
/* ---- end of 6 ---- */

/* ---- 7: people (issue #11; see the SQLite schema) ---- */
static const char migration_7[] =
    "ALTER TABLE users ADD COLUMN given_name TEXT;"
    "ALTER TABLE users ADD COLUMN family_name TEXT;"
    "ALTER TABLE users ADD COLUMN picture TEXT;"
    "ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';"
    "ALTER TABLE users ADD COLUMN disabled_until BIGINT;"
    "ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN attributes TEXT;"
    "ALTER TABLE users ADD COLUMN last_login_at BIGINT;"
    "UPDATE users SET email = lower(email) WHERE email IS NOT NULL AND email <> lower(email);"
    "CREATE UNIQUE INDEX users_lower_username ON users(tenant_id, lower(username));"
    "CREATE UNIQUE INDEX users_lower_email ON users(tenant_id, lower(email));"
    "CREATE INDEX users_created ON users(tenant_id, created_at);"
    "ALTER TABLE applications ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE applications ADD COLUMN access_token_alg TEXT;"
    "ALTER TABLE applications ADD COLUMN id_token_signed_response_alg TEXT;"
    "CREATE TABLE link_tokens (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, kind TEXT NOT NULL,"
    " user_id TEXT REFERENCES users(id) ON DELETE CASCADE, invitation_id TEXT, email TEXT,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "CREATE INDEX link_tokens_expiry ON link_tokens(expires_at);"
    "CREATE TABLE invitations (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, email TEXT NOT NULL,"
    " name TEXT, roles TEXT NOT NULL, groups TEXT NOT NULL, status TEXT NOT NULL,"
    " invited_by TEXT, user_id TEXT, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL);"
    "CREATE INDEX invitations_email ON invitations(tenant_id, email);"
    "INSERT INTO roles (id, tenant_id, name, description, permissions, created_at, updated_at)"
    " SELECT md5(random()::text || t.id)::uuid::text, t.id, 'admin', NULL, '[\"*:*\"]',"
    " extract(epoch FROM now())::bigint, extract(epoch FROM now())::bigint FROM tenants t"
    " WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.tenant_id = t.id AND r.name = 'admin');"
    "UPDATE roles SET permissions = '[\"*:*\"]' WHERE name = 'admin' AND permissions <> "
    "'[\"*:*\"]';";
/* ---- end of 7 ---- */

/* ---- 8: authorization policies (API.md §15) ---- */
static const char migration_8[] =
    "CREATE TABLE policies (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " description TEXT, effect TEXT NOT NULL, actions TEXT NOT NULL, principals TEXT NOT NULL,"
    " condition TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    " UNIQUE (tenant_id, name));"
    "ALTER TABLE applications ADD COLUMN token_claims TEXT;";
/* ---- end of 8 ---- */

/* ---- 9: webhooks (see the SQLite schema) ---- */
static const char migration_9[] =
    "CREATE TABLE webhooks (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, url TEXT NOT NULL,"
    " events TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1, description TEXT,"
    " secret_enc TEXT NOT NULL, old_secret_enc TEXT, old_secret_until BIGINT, failing_since_ms "
    "BIGINT,"
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
    "CREATE INDEX webhooks_tenant ON webhooks(tenant_id);"
    "CREATE TABLE webhook_messages (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,"
    " event_id TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL,"
    " status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_attempt_ms BIGINT NOT NULL,"
    " locked_until_ms BIGINT, locked_by TEXT, created_at BIGINT NOT NULL, done_at BIGINT);"
    "CREATE INDEX webhook_messages_due ON webhook_messages(status, next_attempt_ms);"
    "CREATE INDEX webhook_messages_webhook ON webhook_messages(webhook_id);"
    "CREATE INDEX webhook_messages_done ON webhook_messages(done_at);"
    "CREATE TABLE webhook_attempts (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,"
    " message_id TEXT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,"
    " attempt BIGINT NOT NULL, status TEXT NOT NULL, response_status BIGINT, error TEXT,"
    " created_at BIGINT NOT NULL, next_attempt_at BIGINT, node TEXT);"
    "CREATE INDEX webhook_attempts_webhook ON webhook_attempts(webhook_id, id);"
    "CREATE INDEX webhook_attempts_message ON webhook_attempts(message_id);"
    "CREATE INDEX webhook_attempts_created ON webhook_attempts(created_at);";
/* ---- end of 9 ---- */

/* ---- 10: scale (issue 20): failure counters shared by every node; user lists by index ----
 * UNLOGGED: a failure counted costs no WAL and no fsync, and a successful sign-in
 * that clears its counter writes nothing durable. A crash or a failover to a
 * standby forgets the counters (an unlogged table is empty there). */
static const char migration_10[] =
    "CREATE UNLOGGED TABLE failure_counters (key TEXT PRIMARY KEY,"
    " failures BIGINT NOT NULL, window_start BIGINT NOT NULL, last_failure BIGINT NOT NULL);"
    "CREATE INDEX failure_counters_start ON failure_counters(window_start);"
    "CREATE INDEX users_tenant_id ON users(tenant_id, id);"
    "CREATE INDEX users_tenant_status ON users(tenant_id, status, id);"
    /* Substring search (ILIKE '%term%') by trigram indexes where pg_trgm can be had (a
     * trusted extension since PostgreSQL 13); without it a search reads the tenant's users. */
    "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    " EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm unavailable: user search scans'; END $$;"
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN"
    " CREATE INDEX users_search ON users USING gin ((coalesce(username, '') || chr(31) ||"
    " coalesce(email, '') || chr(31) || coalesce(name, '') || chr(31) || coalesce(given_name, '')"
    " || chr(31) || coalesce(family_name, '')) gin_trgm_ops);"
    " END IF; END $$;";
/* ---- end of 10 ---- */

const char *const pc_pg_migrations[] = {migration_1, migration_2, migration_3, migration_4,
                                        migration_5, migration_6, migration_7, migration_8,
                                        migration_9, migration_10};
const int pc_pg_migration_count = (int)(sizeof pc_pg_migrations / sizeof *pc_pg_migrations);
_Static_assert(sizeof pc_pg_migrations / sizeof *pc_pg_migrations == PC_PG_MIGRATION_COUNT,
               "PC_PG_MIGRATION_COUNT must match the migrations");
