/* SPDX-License-Identifier: Apache-2.0 */
/* The table behind each storage entity and link (see storage.h for the record shapes). */
#include "sql_entities.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LF (COL_LOOKUP | COL_FILTER | COL_FIXED)
#define N(a) (sizeof(a) / sizeof *(a))

static const sql_column tenant_cols[] = {{"id", COL_TEXT, LF},
                                         {"slug", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_FIXED},
                                         {"name", COL_TEXT, COL_SEARCH},
                                         {"settings", COL_JSON, 0},
                                         {"created_at", COL_INT, COL_FIXED}};
static const sql_column key_cols[] = {
    {"id", COL_TEXT, LF},          {"tenant_id", COL_TEXT, COL_FIXED},
    {"alg", COL_TEXT, COL_FILTER}, {"public_jwk", COL_JSON, 0},
    {"private_enc", COL_TEXT, 0},  {"created_at", COL_INT, COL_FIXED},
    {"activates_at", COL_INT, 0},  {"retires_at", COL_INT, 0},
    {"expires_at", COL_INT, 0}};
#define CI (COL_LOOKUP | COL_FILTER | COL_SEARCH | COL_NOCASE | COL_FOLDED)
static const sql_column user_cols[] = {{"id", COL_TEXT, LF},
                                       {"tenant_id", COL_TEXT, COL_FIXED},
                                       {"username", COL_TEXT, CI},
                                       {"email", COL_TEXT, CI},
                                       {"name", COL_TEXT, COL_SEARCH},
                                       {"phone_number", COL_TEXT, COL_FILTER},
                                       {"password_hash", COL_TEXT, 0},
                                       {"created_at", COL_INT, COL_FIXED | COL_FILTER},
                                       {"updated_at", COL_INT, 0},
                                       {"deleted_at", COL_INT, COL_FILTER},
                                       {"given_name", COL_TEXT, COL_SEARCH},
                                       {"family_name", COL_TEXT, COL_SEARCH},
                                       {"picture", COL_TEXT, 0},
                                       {"status", COL_TEXT, COL_FILTER},
                                       {"disabled_until", COL_INT, 0},
                                       {"email_verified", COL_BOOL, COL_FILTER},
                                       {"attributes", COL_JSON, 0},
                                       {"last_login_at", COL_INT, 0}};
static const sql_column app_cols[] = {{"id", COL_TEXT, LF},
                                      {"tenant_id", COL_TEXT, COL_FIXED},
                                      {"client_id", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_FIXED},
                                      {"name", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_SEARCH},
                                      {"type", COL_TEXT, COL_FILTER},
                                      {"secret_hash", COL_TEXT, 0},
                                      {"grant_types", COL_JSON, 0},
                                      {"redirect_uris", COL_JSON, 0},
                                      {"post_logout_redirect_uris", COL_JSON, 0},
                                      {"scopes", COL_JSON, 0},
                                      {"resources", COL_JSON, 0},
                                      {"first_party", COL_BOOL, 0},
                                      {"created_at", COL_INT, COL_FIXED},
                                      {"updated_at", COL_INT, 0},
                                      {"default_providers", COL_JSON, 0},
                                      {"internal", COL_BOOL, COL_FILTER},
                                      {"access_token_alg", COL_TEXT, 0},
                                      {"id_token_signed_response_alg", COL_TEXT, 0},
                                      {"token_claims", COL_JSON, 0},
                                      /* schema 11: issue #18 */
                                      {"token_endpoint_auth_method", COL_TEXT, 0},
                                      {"jwks", COL_JSON, 0},
                                      {"jwks_uri", COL_TEXT, 0},
                                      {"require_par", COL_BOOL, 0},
                                      {"backchannel_logout_uri", COL_TEXT, 0},
                                      {"secret_enc", COL_TEXT, 0},
                                      /* schema 14: issue #18, RFC 7592 */
                                      {"registration_token_hash", COL_TEXT, 0}};
static const sql_column role_cols[] = {{"id", COL_TEXT, LF},
                                       {"tenant_id", COL_TEXT, COL_FIXED},
                                       {"name", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_SEARCH},
                                       {"description", COL_TEXT, 0},
                                       {"permissions", COL_JSON, 0},
                                       {"created_at", COL_INT, COL_FIXED},
                                       {"updated_at", COL_INT, 0}};
static const sql_column group_cols[] = {{"id", COL_TEXT, LF},
                                        {"tenant_id", COL_TEXT, COL_FIXED},
                                        {"name", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_SEARCH},
                                        {"description", COL_TEXT, 0},
                                        {"created_at", COL_INT, COL_FIXED},
                                        {"updated_at", COL_INT, 0}};
static const sql_column session_cols[] = {{"id", COL_TEXT, LF},
                                          {"tenant_id", COL_TEXT, COL_FIXED},
                                          {"user_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                          {"client_id", COL_TEXT, COL_FILTER},
                                          {"amr", COL_JSON, 0},
                                          {"auth_time", COL_INT, 0},
                                          {"created_at", COL_INT, COL_FIXED},
                                          {"expires_at", COL_INT, 0},
                                          {"ended_at", COL_INT, COL_FILTER},
                                          {"ip", COL_TEXT, 0},
                                          {"secret_hash", COL_TEXT, COL_LOOKUP | COL_FIXED},
                                          {"consents", COL_JSON, 0},
                                          {"last_used", COL_INT, 0},
                                          {"org_id", COL_TEXT, COL_FILTER},
                                          {"idp", COL_TEXT, 0}}; /* schema 13, federation */
static const sql_column refresh_cols[] = {{"id", COL_TEXT, LF},
                                          {"tenant_id", COL_TEXT, COL_FIXED},
                                          {"client_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                          {"user_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                          {"sid", COL_TEXT, COL_FILTER | COL_FIXED},
                                          {"scope", COL_TEXT, 0},
                                          {"amr", COL_JSON, 0},
                                          {"auth_time", COL_INT, 0},
                                          {"generation", COL_INT, 0},
                                          {"secret_hash", COL_TEXT, 0},
                                          {"created_at", COL_INT, COL_FIXED},
                                          {"expires_at", COL_INT, 0},
                                          {"rotated_at", COL_INT, 0},
                                          {"revoked_at", COL_INT, 0},
                                          {"prev_hash", COL_TEXT, 0},
                                          /* schema 11: the DPoP key of a public client */
                                          {"jkt", COL_TEXT, 0},
                                          /* schema 12: the organization of its tokens */
                                          {"org_id", COL_TEXT, COL_FILTER | COL_FIXED}};
static const sql_column audit_cols[] = {{"id", COL_TEXT, LF},
                                        {"tenant_id", COL_TEXT, COL_FIXED},
                                        {"type", COL_TEXT, COL_FILTER},
                                        {"time", COL_INT, COL_FILTER},
                                        {"actor", COL_TEXT, COL_FILTER},
                                        {"subject", COL_TEXT, COL_FILTER},
                                        {"ip", COL_TEXT, 0},
                                        {"details", COL_JSON, 0}};
static const sql_column provider_cols[] = {{"id", COL_TEXT, LF},
                                           {"tenant_id", COL_TEXT, COL_FIXED},
                                           {"name", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_SEARCH},
                                           {"kind", COL_TEXT, COL_FILTER},
                                           {"plugin", COL_TEXT, COL_FILTER},
                                           {"config", COL_JSON, 0},
                                           {"created_at", COL_INT, COL_FIXED},
                                           {"updated_at", COL_INT, 0}};
static const sql_column mfa_cols[] = {{"id", COL_TEXT, LF},
                                      {"tenant_id", COL_TEXT, COL_FIXED},
                                      {"user_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                      {"method", COL_TEXT, COL_FILTER},
                                      {"state", COL_TEXT, COL_FILTER},
                                      {"secret_enc", COL_TEXT, 0},
                                      {"data", COL_JSON, 0},
                                      {"created_at", COL_INT, COL_FIXED},
                                      {"updated_at", COL_INT, 0}};
static const sql_column code_cols[] = {{"id", COL_TEXT, LF},
                                       {"tenant_id", COL_TEXT, COL_FIXED},
                                       {"client_id", COL_TEXT, COL_FIXED},
                                       {"redirect_uri", COL_TEXT, COL_FIXED},
                                       {"code_challenge", COL_TEXT, COL_FIXED},
                                       {"nonce", COL_TEXT, COL_FIXED},
                                       {"user_id", COL_TEXT, COL_FIXED},
                                       {"sid", COL_TEXT, COL_FIXED},
                                       {"scope", COL_TEXT, COL_FIXED},
                                       {"amr", COL_JSON, COL_FIXED},
                                       {"auth_time", COL_INT, COL_FIXED},
                                       {"created_at", COL_INT, COL_FIXED},
                                       {"expires_at", COL_INT, COL_FIXED},
                                       {"used_at", COL_INT, 0},
                                       {"family_id", COL_TEXT, 0},
                                       {"access_jti", COL_TEXT, 0},
                                       {"access_exp", COL_INT, 0},
                                       {"org_id", COL_TEXT, COL_FIXED},
                                       /* RFC 9449 §10 (schema 16) */
                                       {"dpop_jkt", COL_TEXT, COL_FIXED}};
static const sql_column mfa_token_cols[] = {{"id", COL_TEXT, LF},
                                            {"tenant_id", COL_TEXT, COL_FIXED},
                                            {"user_id", COL_TEXT, COL_FIXED},
                                            {"client_id", COL_TEXT, COL_FIXED},
                                            {"scope", COL_TEXT, COL_FIXED},
                                            {"methods", COL_JSON, 0},
                                            {"attempts", COL_INT, 0},
                                            {"ip", COL_TEXT, 0},
                                            {"created_at", COL_INT, COL_FIXED},
                                            {"expires_at", COL_INT, COL_FIXED},
                                            {"used_at", COL_INT, 0},
                                            {"updated_at", COL_INT, 0},
                                            /* federation (schema 17) */
                                            {"idp", COL_TEXT, 0}};
static const sql_column consent_nonce_cols[] = {{"id", COL_TEXT, LF},
                                                {"tenant_id", COL_TEXT, COL_FIXED},
                                                {"created_at", COL_INT, COL_FIXED},
                                                {"expires_at", COL_INT, COL_FIXED}};
static const sql_column webhook_cols[] = {{"id", COL_TEXT, LF},
                                          {"tenant_id", COL_TEXT, COL_FIXED},
                                          {"url", COL_TEXT, COL_SEARCH},
                                          {"events", COL_JSON, 0},
                                          {"enabled", COL_BOOL, COL_FILTER},
                                          {"description", COL_TEXT, COL_SEARCH},
                                          {"secret_enc", COL_TEXT, 0},
                                          {"old_secret_enc", COL_TEXT, 0},
                                          {"old_secret_until", COL_INT, 0},
                                          {"failing_since_ms", COL_INT, 0},
                                          {"created_at", COL_INT, COL_FIXED},
                                          {"updated_at", COL_INT, 0}};
static const sql_column webhook_message_cols[] = {{"id", COL_TEXT, LF},
                                                  {"tenant_id", COL_TEXT, COL_FIXED},
                                                  {"webhook_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                                  {"event_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                                  {"type", COL_TEXT, COL_FILTER | COL_FIXED},
                                                  {"payload", COL_TEXT, COL_FIXED},
                                                  {"status", COL_TEXT, COL_FILTER},
                                                  {"attempts", COL_INT, 0},
                                                  {"next_attempt_ms", COL_INT, 0},
                                                  {"locked_until_ms", COL_INT, 0},
                                                  {"locked_by", COL_TEXT, 0},
                                                  {"created_at", COL_INT, COL_FIXED},
                                                  {"done_at", COL_INT, 0}};
static const sql_column webhook_attempt_cols[] = {{"id", COL_TEXT, LF},
                                                  {"tenant_id", COL_TEXT, COL_FIXED},
                                                  {"webhook_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                                  {"message_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                                  {"event_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                                  {"type", COL_TEXT, COL_FILTER | COL_FIXED},
                                                  {"attempt", COL_INT, 0},
                                                  {"status", COL_TEXT, COL_FILTER},
                                                  {"response_status", COL_INT, 0},
                                                  {"error", COL_TEXT, 0},
                                                  {"created_at", COL_INT, COL_FIXED},
                                                  {"next_attempt_at", COL_INT, 0},
                                                  {"node", COL_TEXT, 0}};

static const sql_column link_token_cols[] = {{"id", COL_TEXT, LF},
                                             {"tenant_id", COL_TEXT, COL_FIXED},
                                             {"kind", COL_TEXT, COL_FIXED},
                                             {"user_id", COL_TEXT, COL_FIXED},
                                             {"invitation_id", COL_TEXT, COL_FIXED},
                                             {"email", COL_TEXT, COL_FIXED},
                                             {"created_at", COL_INT, COL_FIXED},
                                             {"expires_at", COL_INT, COL_FIXED}};
static const sql_column invitation_cols[] = {
    {"id", COL_TEXT, LF},
    {"tenant_id", COL_TEXT, COL_FIXED},
    {"email", COL_TEXT, COL_FILTER | COL_FIXED | COL_NOCASE},
    {"name", COL_TEXT, 0},
    {"roles", COL_JSON, 0},
    {"groups", COL_JSON, 0},
    {"status", COL_TEXT, COL_FILTER},
    {"invited_by", COL_TEXT, COL_FIXED},
    {"user_id", COL_TEXT, 0},
    {"created_at", COL_INT, COL_FIXED},
    {"expires_at", COL_INT, COL_FILTER},
    {"updated_at", COL_INT, 0}};
static const sql_column policy_cols[] = {{"id", COL_TEXT, LF},
                                         {"tenant_id", COL_TEXT, COL_FIXED},
                                         {"name", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_SEARCH},
                                         {"description", COL_TEXT, 0},
                                         {"effect", COL_TEXT, COL_FILTER},
                                         {"actions", COL_JSON, 0},
                                         {"principals", COL_JSON, 0},
                                         {"condition", COL_JSON, 0},
                                         {"created_at", COL_INT, COL_FIXED},
                                         {"updated_at", COL_INT, 0}};
/* schema 11: client assertions and pushed authorization requests (issue #18) */
static const sql_column used_jti_cols[] = {{"id", COL_TEXT, LF},
                                           {"tenant_id", COL_TEXT, COL_FIXED},
                                           {"created_at", COL_INT, COL_FIXED},
                                           {"expires_at", COL_INT, COL_FIXED}};
static const sql_column par_cols[] = {{"id", COL_TEXT, LF},
                                      {"tenant_id", COL_TEXT, COL_FIXED},
                                      {"client_id", COL_TEXT, COL_FIXED},
                                      {"params", COL_JSON, COL_FIXED},
                                      {"created_at", COL_INT, COL_FIXED},
                                      {"expires_at", COL_INT, COL_FIXED}};
static const sql_column session_client_cols[] = {{"id", COL_TEXT, LF},
                                                 {"tenant_id", COL_TEXT, COL_FIXED},
                                                 {"sid", COL_TEXT, COL_FILTER | COL_FIXED},
                                                 {"client_id", COL_TEXT, COL_FIXED},
                                                 {"user_id", COL_TEXT, COL_FIXED},
                                                 {"created_at", COL_INT, COL_FIXED},
                                                 {"expires_at", COL_INT, COL_FIXED}};
static const sql_column logout_message_cols[] = {{"id", COL_TEXT, LF},
                                                 {"tenant_id", COL_TEXT, COL_FIXED},
                                                 {"client_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                                 {"url", COL_TEXT, COL_FIXED},
                                                 {"sid", COL_TEXT, COL_FILTER | COL_FIXED},
                                                 {"sub", COL_TEXT, COL_FIXED},
                                                 {"status", COL_TEXT, COL_FILTER},
                                                 {"attempts", COL_INT, 0},
                                                 {"next_attempt_ms", COL_INT, 0},
                                                 {"locked_until_ms", COL_INT, 0},
                                                 {"locked_by", COL_TEXT, 0},
                                                 {"error", COL_TEXT, 0},
                                                 {"created_at", COL_INT, COL_FIXED},
                                                 {"done_at", COL_INT, 0}};

/* ---- organizations (API.md §18) ---- */
static const sql_column organization_cols[] = {
    {"id", COL_TEXT, LF},
    {"tenant_id", COL_TEXT, COL_FIXED},
    {"slug", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_SEARCH},
    {"name", COL_TEXT, COL_SEARCH},
    {"logo_url", COL_TEXT, 0},
    {"created_at", COL_INT, COL_FIXED},
    {"updated_at", COL_INT, 0}};
static const sql_column membership_cols[] = {{"id", COL_TEXT, LF},
                                             {"tenant_id", COL_TEXT, COL_FIXED},
                                             {"organization_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                             {"user_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                             {"roles", COL_JSON, 0},
                                             {"created_at", COL_INT, COL_FIXED},
                                             {"updated_at", COL_INT, 0}};
static const sql_column org_token_cols[] = {{"id", COL_TEXT, LF},
                                            {"tenant_id", COL_TEXT, COL_FIXED},
                                            {"user_id", COL_TEXT, COL_FIXED},
                                            {"client_id", COL_TEXT, COL_FIXED},
                                            {"scope", COL_TEXT, COL_FIXED},
                                            {"sid", COL_TEXT, COL_FIXED},
                                            {"amr", COL_JSON, COL_FIXED},
                                            {"auth_time", COL_INT, COL_FIXED},
                                            {"created_at", COL_INT, COL_FIXED},
                                            {"expires_at", COL_INT, COL_FIXED}};
/* Memberships go with their organization (the foreign key does it where it is enforced). */
static const char *const organization_cleanup[] = {
    "DELETE FROM memberships WHERE organization_id = ?", NULL};
/* ---- end of organizations ---- */

/* Federation (issue #14, schema 13). */
static const sql_column idp_cols[] = {{"id", COL_TEXT, LF},
                                      {"tenant_id", COL_TEXT, COL_FIXED},
                                      {"name", COL_TEXT, COL_LOOKUP | COL_FILTER | COL_SEARCH},
                                      {"display_name", COL_TEXT, COL_SEARCH},
                                      {"kind", COL_TEXT, COL_FILTER | COL_FIXED},
                                      {"config", COL_JSON, 0},
                                      {"enabled", COL_BOOL, COL_FILTER},
                                      {"jit", COL_BOOL, 0},
                                      {"default_roles", COL_JSON, 0},
                                      {"link_by_email", COL_TEXT, 0},
                                      {"trust_mfa", COL_BOOL, 0},
                                      {"created_at", COL_INT, COL_FIXED},
                                      {"updated_at", COL_INT, 0}};
static const sql_column identity_cols[] = {{"id", COL_TEXT, LF},
                                           {"tenant_id", COL_TEXT, COL_FIXED},
                                           {"user_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                           {"provider_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                           {"subject", COL_TEXT, COL_FILTER | COL_FIXED},
                                           {"email", COL_TEXT, 0},
                                           {"linked_at", COL_INT, COL_FIXED}};
static const sql_column fed_state_cols[] = {{"id", COL_TEXT, LF},
                                            {"tenant_id", COL_TEXT, COL_FIXED},
                                            {"provider_id", COL_TEXT, COL_FIXED},
                                            {"nonce", COL_TEXT, COL_FIXED},
                                            {"code_verifier", COL_TEXT, COL_FIXED},
                                            {"browser_hash", COL_TEXT, COL_FIXED},
                                            {"return_to", COL_TEXT, COL_FIXED},
                                            {"link_user_id", COL_TEXT, COL_FIXED},
                                            {"created_at", COL_INT, COL_FIXED},
                                            {"expires_at", COL_INT, COL_FIXED}};
/* ---- issue #18: consents per user and client; RFC 8628 device codes ---- */
static const sql_column consent_cols[] = {{"id", COL_TEXT, LF},
                                          {"tenant_id", COL_TEXT, COL_FIXED},
                                          {"user_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                          {"client_id", COL_TEXT, COL_FILTER | COL_FIXED},
                                          {"scope", COL_TEXT, 0},
                                          {"created_at", COL_INT, COL_FIXED},
                                          {"updated_at", COL_INT, 0}};
static const sql_column device_code_cols[] = {{"id", COL_TEXT, LF},
                                              {"tenant_id", COL_TEXT, COL_FIXED},
                                              {"client_id", COL_TEXT, COL_FIXED},
                                              {"user_code", COL_TEXT, LF},
                                              {"scope", COL_TEXT, COL_FIXED},
                                              {"status", COL_TEXT, COL_FILTER},
                                              {"poll_interval", COL_INT, 0},
                                              {"last_poll_at", COL_INT, 0},
                                              {"user_id", COL_TEXT, 0},
                                              {"created_at", COL_INT, COL_FIXED},
                                              {"expires_at", COL_INT, COL_FIXED}};
/* ---- end of issue #18 ---- */

/* Principals hold roles without a foreign key (users and applications share
 * the table), so their links are removed with them. */
static const char *const principal_cleanup[] = {
    "DELETE FROM principal_roles WHERE principal_id = ?", NULL};

static const sql_entity_spec entities[PC_ENT_COUNT_] = {
    [PC_ENT_TENANT] = {"tenants", tenant_cols, N(tenant_cols), 0, NULL},
    [PC_ENT_KEY] = {"signing_keys", key_cols, N(key_cols), 1, NULL},
    [PC_ENT_USER] = {"users", user_cols, N(user_cols), 1, principal_cleanup},
    [PC_ENT_APPLICATION] = {"applications", app_cols, N(app_cols), 1, principal_cleanup},
    [PC_ENT_ROLE] = {"roles", role_cols, N(role_cols), 1, NULL},
    [PC_ENT_GROUP] = {"user_groups", group_cols, N(group_cols), 1, NULL},
    [PC_ENT_SESSION] = {"sessions", session_cols, N(session_cols), 1, NULL},
    [PC_ENT_REFRESH] = {"refresh_grants", refresh_cols, N(refresh_cols), 1, NULL},
    [PC_ENT_AUDIT] = {"audit_events", audit_cols, N(audit_cols), 1, NULL},
    [PC_ENT_PROVIDER] = {"providers", provider_cols, N(provider_cols), 1, NULL},
    [PC_ENT_MFA] = {"mfa_factors", mfa_cols, N(mfa_cols), 1, NULL},
    [PC_ENT_CODE] = {"authorization_codes", code_cols, N(code_cols), 1, NULL},
    [PC_ENT_MFA_TOKEN] = {"mfa_tokens", mfa_token_cols, N(mfa_token_cols), 1, NULL},
    [PC_ENT_CONSENT_NONCE] = {"consent_nonces", consent_nonce_cols, N(consent_nonce_cols), 1, NULL},
    [PC_ENT_LINK_TOKEN] = {"link_tokens", link_token_cols, N(link_token_cols), 1, NULL},
    [PC_ENT_INVITATION] = {"invitations", invitation_cols, N(invitation_cols), 1, NULL},
    [PC_ENT_POLICY] = {"policies", policy_cols, N(policy_cols), 1, NULL},
    [PC_ENT_WEBHOOK] = {"webhooks", webhook_cols, N(webhook_cols), 1, NULL},
    [PC_ENT_WEBHOOK_MESSAGE] = {"webhook_messages", webhook_message_cols, N(webhook_message_cols),
                                1, NULL},
    [PC_ENT_WEBHOOK_ATTEMPT] = {"webhook_attempts", webhook_attempt_cols, N(webhook_attempt_cols),
                                1, NULL},
    /* issue #18 */
    [PC_ENT_USED_JTI] = {"used_jtis", used_jti_cols, N(used_jti_cols), 1, NULL},
    [PC_ENT_PAR] = {"par_requests", par_cols, N(par_cols), 1, NULL},
    [PC_ENT_SESSION_CLIENT] = {"session_clients", session_client_cols, N(session_client_cols), 1,
                               NULL},
    [PC_ENT_LOGOUT_MESSAGE] = {"logout_messages", logout_message_cols, N(logout_message_cols), 1,
                               NULL},
    [PC_ENT_ORGANIZATION] = {"organizations", organization_cols, N(organization_cols), 1,
                             organization_cleanup},
    [PC_ENT_MEMBERSHIP] = {"memberships", membership_cols, N(membership_cols), 1, NULL},
    [PC_ENT_ORG_TOKEN] = {"organization_tokens", org_token_cols, N(org_token_cols), 1, NULL},
    /* federation (issue #14, schema 13) */
    [PC_ENT_IDENTITY_PROVIDER] = {"identity_providers", idp_cols, N(idp_cols), 1, NULL},
    [PC_ENT_IDENTITY] = {"user_identities", identity_cols, N(identity_cols), 1, NULL},
    [PC_ENT_FED_STATE] = {"federation_states", fed_state_cols, N(fed_state_cols), 1, NULL},
    [PC_ENT_CONSENT] = {"consents", consent_cols, N(consent_cols), 1, NULL},
    [PC_ENT_DEVICE_CODE] = {"device_codes", device_code_cols, N(device_code_cols), 1, NULL},
};

static const sql_link_spec links[PC_LINK_COUNT_] = {
    [PC_LINK_PRINCIPAL_ROLE] = {"principal_roles", "principal_id", "role_id"},
    [PC_LINK_GROUP_ROLE] = {"group_roles", "group_id", "role_id"},
    [PC_LINK_GROUP_MEMBER] = {"group_members", "group_id", "user_id"},
    [PC_LINK_APP_PROVIDER] = {"app_providers", "application_id", "provider_id"},
};

/* Users by role (held directly or through a group), by group, by status at a time
 * (the value: Unix seconds now; a freeze reads "disabled" until it ends), by creation. */
static const sql_special_filter special_filters[] = {
    {PC_ENT_USER, "role_id",
     "id IN (SELECT principal_id FROM principal_roles WHERE role_id = ? UNION"
     " SELECT m.user_id FROM group_members m JOIN group_roles g ON g.group_id = m.group_id"
     " WHERE g.role_id = ?)"},
    {PC_ENT_USER, "group_id", "id IN (SELECT user_id FROM group_members WHERE group_id = ?)"},
    {PC_ENT_USER, "active_at",
     "status = 'active' AND (disabled_until IS NULL OR disabled_until <= ?)"},
    /* The first clause is the predicate of the index users_tenant_inactive (schema 18), as
     * written there, so that both stores read the few users it holds instead of the tenant. */
    {PC_ENT_USER, "disabled_at",
     "(status <> 'active' OR disabled_until IS NOT NULL)"
     " AND (status <> 'active' OR disabled_until > ?)"},
    {PC_ENT_USER, "created_before", "created_at < ?"},
    /* Invitations pending at a time, and expired (pending past expires_at) at a time. */
    {PC_ENT_INVITATION, "pending_at", "status = 'pending' AND expires_at > ?"},
    {PC_ENT_INVITATION, "expired_at", "status = 'pending' AND expires_at <= ?"},
};

const sql_special_filter *sql_entity_special_filter(pc_entity ent, const char *key)
{
    for (size_t i = 0; i < N(special_filters); i++)
        if (special_filters[i].ent == ent && strcmp(special_filters[i].key, key) == 0)
            return &special_filters[i];
    return NULL;
}

const sql_entity_spec *sql_entity(pc_entity ent)
{
    if ((int)ent < 0 || ent >= PC_ENT_COUNT_)
        return NULL;
    return &entities[ent];
}

const sql_link_spec *sql_link(pc_link kind)
{
    if ((int)kind < 0 || kind >= PC_LINK_COUNT_)
        return NULL;
    return &links[kind];
}

const sql_column *sql_entity_column(const sql_entity_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->ncols; i++)
        if (strcmp(spec->cols[i].name, name) == 0)
            return &spec->cols[i];
    return NULL;
}

static char select_lists[PC_ENT_COUNT_][512];
static pthread_once_t select_once = PTHREAD_ONCE_INIT;

static void build_select_lists(void)
{
    for (int e = 0; e < PC_ENT_COUNT_; e++) {
        char *p = select_lists[e];
        size_t left = sizeof select_lists[e];
        for (size_t i = 0; i < entities[e].ncols; i++) {
            int n = snprintf(p, left, "%s%s", i ? ", " : "", entities[e].cols[i].name);
            p += n;
            left -= (size_t)n;
        }
    }
}

const char *sql_entity_select_list(pc_entity ent)
{
    pthread_once(&select_once, build_select_lists);
    return select_lists[ent];
}
