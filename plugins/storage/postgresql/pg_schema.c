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

/* ---- 10: usernames and emails unique by their C-computed case fold (see the SQLite schema) ---- */
static const char migration_10[] =
    "ALTER TABLE users ADD COLUMN username_fold TEXT;"
    "ALTER TABLE users ADD COLUMN email_fold TEXT;"
    "DROP INDEX users_lower_username;"
    "DROP INDEX users_lower_email;"
    "CREATE UNIQUE INDEX users_fold_username ON users(tenant_id, username_fold);"
    "CREATE UNIQUE INDEX users_fold_email ON users(tenant_id, email_fold);";
/* ---- end of 10 ---- */

/* ---- 11: client authentication with JWTs, pushed authorization requests, DPoP, back-channel logout (issue #18) ----
 * (see the SQLite schema) */
static const char migration_11[] =
    "ALTER TABLE applications ADD COLUMN token_endpoint_auth_method TEXT;"
    "ALTER TABLE applications ADD COLUMN jwks TEXT;"
    "ALTER TABLE applications ADD COLUMN jwks_uri TEXT;"
    "ALTER TABLE applications ADD COLUMN require_par INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE refresh_grants ADD COLUMN jkt TEXT;"
    "ALTER TABLE applications ADD COLUMN backchannel_logout_uri TEXT;"
    "ALTER TABLE applications ADD COLUMN secret_enc TEXT;"
    "CREATE TABLE session_clients (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, sid TEXT NOT NULL,"
    " client_id TEXT NOT NULL, user_id TEXT,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "CREATE INDEX session_clients_sid ON session_clients(tenant_id, sid);"
    "CREATE INDEX session_clients_expiry ON session_clients(expires_at);"
    "CREATE TABLE logout_messages (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, client_id TEXT NOT NULL,"
    " url TEXT NOT NULL, sid TEXT NOT NULL, sub TEXT, status TEXT NOT NULL,"
    " attempts BIGINT NOT NULL DEFAULT 0, next_attempt_ms BIGINT NOT NULL, locked_until_ms BIGINT,"
    " locked_by TEXT, error TEXT, created_at BIGINT NOT NULL, done_at BIGINT);"
    "CREATE INDEX logout_messages_due ON logout_messages(status, next_attempt_ms);"
    "CREATE INDEX logout_messages_done ON logout_messages(done_at);"
    "CREATE TABLE used_jtis (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "CREATE INDEX used_jtis_expiry ON used_jtis(expires_at);"
    "CREATE TABLE par_requests (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " client_id TEXT NOT NULL, params TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "CREATE INDEX par_requests_expiry ON par_requests(expires_at);";
/* ---- end of 11 ---- */

/* ---- 12: organizations inside a tenant (API.md §18) ----
 * memberships.roles holds role ids (a rename keeps them; a deleted role drops out).
 * organization_tokens wait for a password sign-in's choice of organization; the
 * org_id columns bind codes, refresh grants and sessions to the organization chosen. */
static const char migration_12[] =
    "CREATE TABLE organizations (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, slug TEXT NOT NULL,"
    " name TEXT NOT NULL, logo_url TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    " UNIQUE (tenant_id, slug));"
    "CREATE TABLE memberships (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, roles TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (organization_id, user_id));"
    "CREATE INDEX memberships_user ON memberships(tenant_id, user_id);"
    "CREATE TABLE organization_tokens (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, user_id TEXT NOT NULL,"
    " client_id TEXT NOT NULL, scope TEXT NOT NULL, sid TEXT NOT NULL, amr TEXT NOT NULL,"
    " auth_time BIGINT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "ALTER TABLE authorization_codes ADD COLUMN org_id TEXT;"
    "ALTER TABLE refresh_grants ADD COLUMN org_id TEXT;"
    "ALTER TABLE sessions ADD COLUMN org_id TEXT;";
/* ---- end of 12 ---- */

/* ---- 13: federation (issue #14): identity providers per tenant, the external
 * identities linked to users ((provider, subject) unique per tenant, one identity per
 * provider and user), and the single-use state of sign-ins in flight upstream ---- */
static const char migration_13[] =
    "CREATE TABLE identity_providers (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " display_name TEXT NOT NULL, kind TEXT NOT NULL, config TEXT NOT NULL,"
    " enabled INTEGER NOT NULL DEFAULT 1, jit INTEGER NOT NULL DEFAULT 1,"
    " default_roles TEXT NOT NULL, link_by_email TEXT NOT NULL DEFAULT 'never',"
    " trust_mfa INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL, UNIQUE (tenant_id, name));"
    "CREATE TABLE user_identities (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " provider_id TEXT NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE,"
    " subject TEXT NOT NULL, email TEXT, linked_at BIGINT NOT NULL,"
    " UNIQUE (tenant_id, provider_id, subject), UNIQUE (provider_id, user_id));"
    "CREATE INDEX user_identities_user ON user_identities(user_id);"
    "CREATE TABLE federation_states (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " provider_id TEXT NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE,"
    " nonce TEXT NOT NULL, code_verifier TEXT NOT NULL, browser_hash TEXT NOT NULL,"
    " return_to TEXT, link_user_id TEXT, created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL);"
    "CREATE INDEX federation_states_expiry ON federation_states(expires_at);"
    /* the identity provider a session was signed in through: the ID token's idp claim */
    "ALTER TABLE sessions ADD COLUMN idp TEXT;";
/* ---- end of 13 ---- */

/* ---- 14: consent per user, client and scopes; device codes (see the SQLite schema) ---- */
static const char migration_14[] =
    "CREATE TABLE consents (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, client_id TEXT NOT NULL,"
    " scope TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    " UNIQUE (tenant_id, user_id, client_id));"
    "INSERT INTO consents (id, tenant_id, user_id, client_id, scope, created_at, updated_at)"
    " SELECT DISTINCT ON (s.tenant_id, s.user_id, e.v ->> 'client_id')"
    " md5(random()::text || s.id || (e.v ->> 'client_id'))::uuid::text, s.tenant_id, s.user_id,"
    " e.v ->> 'client_id', COALESCE(e.v ->> 'scope', ''), s.created_at, s.created_at"
    " FROM sessions s, json_array_elements(s.consents::json) AS e(v)"
    " WHERE s.consents IS NOT NULL AND json_typeof(s.consents::json) = 'array'"
    " AND json_typeof(e.v) = 'object' AND json_typeof(e.v -> 'client_id') = 'string'"
    " AND EXISTS (SELECT 1 FROM applications a WHERE a.tenant_id = s.tenant_id"
    " AND a.client_id = e.v ->> 'client_id')"
    " ORDER BY s.tenant_id, s.user_id, e.v ->> 'client_id', s.created_at DESC;"
    "UPDATE sessions SET consents = NULL WHERE consents IS NOT NULL;"
    "CREATE TABLE device_codes (id TEXT PRIMARY KEY,"
    " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
    " client_id TEXT NOT NULL, user_code TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,"
    " status TEXT NOT NULL, poll_interval BIGINT NOT NULL, last_poll_at BIGINT, user_id TEXT,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
    "CREATE INDEX device_codes_expiry ON device_codes(expires_at);"
    /* RFC 7592: a dynamically registered client's registration access token, hashed */
    "ALTER TABLE applications ADD COLUMN registration_token_hash TEXT;";
/* ---- end of 14 ---- */

/* ---- 15: scale (issue 20): failure counters shared by every node; user lists by index ----
 * UNLOGGED: a failure counted costs no WAL and no fsync, and a successful sign-in
 * that clears its counter writes nothing durable. A crash or a failover to a
 * standby forgets the counters (an unlogged table is empty there). */
static const char migration_15[] =
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
/* ---- end of 15 ---- */

/* ---- 16: DPoP authorization code binding (RFC 9449 §10): the dpop_jkt a code is bound to ---- */
static const char migration_16[] = "ALTER TABLE authorization_codes ADD COLUMN dpop_jkt TEXT;";
/* ---- end of 16 ---- */

/* ---- 17: federation (issue 14): the directory a password-grant sign-in waiting for its second
 * factor went through, so that its tokens say amr "fed" after the mfa grant ---- */
static const char migration_17[] = "ALTER TABLE mfa_tokens ADD COLUMN idp TEXT;";
/* ---- end of 17 ---- */

/* ---- 18: disabled users by index (issue 20) ----
 * ?status=disabled asks for users not active or disabled until a time: an OR that no index
 * on (tenant_id, status, id) serves, so a page read the tenant in id order until it found
 * enough (68 ms at 10^6 users, 1 in 1,000 disabled). This partial index holds only the users
 * who may be disabled, in id order; the filter repeats its predicate (sql_entities.c). */
static const char migration_18[] = "CREATE INDEX users_tenant_inactive ON users(tenant_id, id)"
                                   " WHERE (status <> 'active' OR disabled_until IS NOT NULL);";
/* ---- end of 18 ---- */

const char *const pc_pg_migrations[] = {
    migration_1,  migration_2,  migration_3,  migration_4,  migration_5,  migration_6,
    migration_7,  migration_8,  migration_9,  migration_10, migration_11, migration_12,
    migration_13, migration_14, migration_15, migration_16, migration_17, migration_18};
const int pc_pg_migration_count = (int)(sizeof pc_pg_migrations / sizeof *pc_pg_migrations);
_Static_assert(sizeof pc_pg_migrations / sizeof *pc_pg_migrations == PC_PG_MIGRATION_COUNT,
               "PC_PG_MIGRATION_COUNT must match the migrations");
