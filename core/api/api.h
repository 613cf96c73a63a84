/* SPDX-License-Identifier: Apache-2.0 */
/* The management API (/api/v1): errors, caller authentication, body validation, handlers. */
#ifndef PC_API_API_H
#define PC_API_API_H

#include "http/request.h"

/** The error catalogue (API.md §5, docs/errors.md). */
typedef enum pc_api_code {
    PC_API_MISSING_FIELDS,    /* AUT-0001 400 */
    PC_API_UNEXPECTED_FIELDS, /* AUT-0003 400 */
    PC_API_INTERNAL,          /* AUT-0005 500 */
    PC_API_NO_TOKEN,          /* AUT-0006 401 */
    PC_API_BAD_TOKEN,         /* AUT-0007 401 */
    PC_API_FORBIDDEN,         /* AUT-0008 403 */
    PC_API_INVALID,           /* AUT-0009 400 */
    PC_API_NOT_FOUND,         /* AUT-0010 404 */
    PC_API_CONFLICT,          /* AUT-0011 409 */
    PC_API_RATE_LIMITED,      /* AUT-0012 429 */
    PC_API_BAD_CODE,          /* AUT-0014 400 */
    PC_API_WRONG_PASSWORD,    /* AUT-0015 400 */
    PC_API_SUBJECT_UNKNOWN,   /* AUT-1015 404 */
    PC_API_LIMIT,             /* AUT-0016 400: a per-tenant limit would be exceeded */
    PC_API_DELIVERY,          /* AUT-0017 503: a message (a one-time code) could not be delivered */
    PC_API_UNAVAILABLE,       /* AUT-0020 503: the store is unavailable (Retry-After set) */
    PC_API_STEP_UP            /* AUT-0019 401: a fresh second factor is needed (API.md §16) */
} pc_api_code;

/** Reply with an API error; `fields` (stolen, may be NULL) maps field names to reasons. */
void pc_api_error(pc_req *rq, pc_api_code code, const char *message, json_t *fields);
/**
 * The error for a store status: NOT_FOUND, CONFLICT on `conflict`, STORAGE as
 * 503 AUT-0020 with Retry-After (never an authentication failure), else internal.
 */
void pc_api_store_error(pc_req *rq, pc_status rc, const char *conflict);

/** The authenticated caller of an API request. */
typedef struct pc_principal {
    json_t *claims; /**< the verified access token */
    json_t *record; /**< the user or application record */
    int is_user;
    const char *id;      /**< UUID of the user or application */
    json_t *permissions; /**< effective permissions, loaded on first check */
} pc_principal;

/** Authenticate the bearer token; on failure the reply is set (401) and 0 returned. */
int pc_api_authenticate(pc_req *rq, pc_principal *p);
/** The same for calls only a person makes: an application's token is 403 with `refusal`. */
int pc_api_authenticate_user(pc_req *rq, pc_principal *p, const char *refusal);
/**
 * May the application holding this verified access token act with its user's rights
 * (a first-party application, or one the person granted portcullis:manage)? PC_OK for
 * an application's own token; PC_ERR_DENIED or PC_ERR_STORAGE otherwise.
 */
pc_status pc_api_holder_may_act_for_user(const pc_tenant *t, const json_t *claims);
/** Authenticate and require resource:action; replies 401/403 and returns 0 if refused. */
int pc_api_require(pc_req *rq, pc_principal *p, const char *resource, const char *action);
/** Reply {"permissions":[...]}, the effective permissions of a user or application id;
 * 503 AUT-0020 when the store cannot tell. */
void pc_api_reply_permissions(pc_req *rq, const char *principal_id);
void pc_principal_clear(pc_principal *p);
/* ---- organizations (API.md §18) ---- */
/** The organization the caller's token is scoped to (its org_id claim), or NULL. */
const char *pc_principal_org(const pc_principal *p);
/** pc_api_reply_permissions within organization `org_id` (NULL: tenant-wide). */
void pc_api_reply_permissions_in(pc_req *rq, const char *principal_id, const char *org_id);
/* ---- end of organizations ---- */
/** What an audit event names as actor: a user id or an application's client_id. */
const char *pc_principal_actor(const pc_principal *p);

/** A field an endpoint accepts. */
typedef enum pc_field_type {
    PC_F_STRING,
    PC_F_STRINGS,
    PC_F_BOOL,
    PC_F_OBJECT,
    PC_F_NULLABLE_STRING,
    PC_F_ANY /**< any JSON value: the endpoint checks it */
} pc_field_type;
typedef struct pc_field {
    const char *name;
    pc_field_type type;
    int required;
} pc_field;

/** Why a body was refused: the API error, a sentence, and the culprits. */
typedef struct pc_body_problem {
    pc_api_code code;
    const char *message; /**< static */
    json_t *fields;      /**< field name -> reason (new, the caller's), or NULL */
} pc_body_problem;

/**
 * Parse `len` bytes of JSON text as an object and check it against `fields`
 * (none is required when `partial`): malformed → AUT-0009, unknown fields →
 * AUT-0003, missing → AUT-0001, wrong types → AUT-0009. The object (new), or
 * NULL with *problem filled. Touches no request, so tests and fuzzers call it.
 */
json_t *pc_api_body_validate(const char *text, size_t len, const pc_field *fields, size_t n,
                             int partial, pc_body_problem *problem);
/**
 * Parse the JSON object body against `fields`: malformed → AUT-0009,
 * unknown fields → AUT-0003, missing → AUT-0001, wrong types → AUT-0009,
 * each with `fields` naming the culprits. On failure replies and returns NULL.
 */
json_t *pc_api_body(pc_req *rq, const pc_field *fields, size_t n);
/** The same for a PATCH: the fields' rules apply, none is required. */
json_t *pc_api_body_patch(pc_req *rq, const pc_field *fields, size_t n);
/** Reply 400 AUT-0009 naming one field. */
void pc_api_invalid_field(pc_req *rq, const char *field, const char *reason);

/** Commit `tx` if rc is PC_OK (else roll back) and apply its feed entries on this node now. */
pc_status pc_api_finish(pc_store_tx *tx, pc_status rc);
/** pc_api_finish, then reply 204, or the error of the store status. */
void pc_api_finish_204(pc_req *rq, pc_store_tx *tx, pc_status rc);

/** Parse ?limit= (1..200, default 50) and ?cursor=; replies 400 and returns 0 if bad. */
int pc_api_page(pc_req *rq, unsigned *limit, const char **cursor);
/*
 * A view (`render`) answers NULL when a store read it needs fails: the reply is then
 * 503 AUT-0020, never a record with empty or missing parts.
 */
/** Reply {"items":[...],"next_cursor":...} from `rows` fetched with limit + 1 (stolen). */
void pc_api_reply_page(pc_req *rq, json_t *rows, unsigned limit,
                       json_t *(*render)(const json_t *row, void *ctx), void *ctx);
/** Reply `view` (stolen) with `status`, or 503 AUT-0020 when it is NULL. */
void pc_api_reply_view(pc_req *rq, int status, json_t *view);
/** Unix seconds ("1744052319") or an RFC 3339 UTC time ("2026-11-23T10:00:00Z"); -1 if neither. */
int64_t pc_api_parse_time(const char *text);
/** Unix seconds as an RFC 3339 UTC string (JSON, new); null for 0 or null. */
json_t *pc_api_time(const json_t *unix_seconds);

/* Handlers, one file per resource. */
void pc_api_me_get(pc_req *rq);
void pc_api_me_permissions(pc_req *rq);
void pc_api_me_password(pc_req *rq);
/* ---- account console: own profile and sessions (me_account.c) ---- */
void pc_api_me_patch(pc_req *rq);
void pc_api_me_sessions_list(pc_req *rq);
void pc_api_me_sessions_end_others(pc_req *rq);
void pc_api_me_sessions_end_one(pc_req *rq);
/* ---- end of account console ---- */
/* ---- consents (API.md §19; me_consents.c) ---- */
void pc_api_me_consents_list(pc_req *rq);
void pc_api_me_consents_get(pc_req *rq);
void pc_api_me_consents_delete(pc_req *rq);
/* ---- end of consents ---- */
/* ---- dynamic client registration (RFC 7591/7592, API.md §19; client_registration.c) ---- */
void pc_api_dcr_register(pc_req *rq);
void pc_api_dcr_read(pc_req *rq);
void pc_api_dcr_update(pc_req *rq);
void pc_api_dcr_delete(pc_req *rq);
/* ---- end of dynamic client registration ---- */
void pc_api_authorize(pc_req *rq);
void pc_api_users_list(pc_req *rq);
void pc_api_users_create(pc_req *rq);
void pc_api_users_get(pc_req *rq);
void pc_api_users_patch(pc_req *rq);
void pc_api_users_delete(pc_req *rq);
void pc_api_users_restore(pc_req *rq);
void pc_api_users_password(pc_req *rq);
void pc_api_users_permissions(pc_req *rq);
void pc_api_users_sessions_list(pc_req *rq);
void pc_api_users_sessions_end(pc_req *rq);
void pc_api_apps_list(pc_req *rq);
void pc_api_apps_create(pc_req *rq);
void pc_api_apps_get(pc_req *rq);
void pc_api_apps_patch(pc_req *rq);
void pc_api_apps_delete(pc_req *rq);
void pc_api_apps_secret(pc_req *rq);
void pc_api_roles_list(pc_req *rq);
void pc_api_roles_create(pc_req *rq);
void pc_api_roles_get(pc_req *rq);
void pc_api_roles_patch(pc_req *rq);
void pc_api_roles_delete(pc_req *rq);
void pc_api_groups_list(pc_req *rq);
void pc_api_groups_create(pc_req *rq);
void pc_api_groups_get(pc_req *rq);
void pc_api_groups_patch(pc_req *rq);
void pc_api_groups_delete(pc_req *rq);
void pc_api_tenants_list(pc_req *rq);
void pc_api_tenants_create(pc_req *rq);
void pc_api_tenants_delete(pc_req *rq);
void pc_api_audit_list(pc_req *rq);
/** GET /openapi.json: the OpenAPI description of this API (docs/openapi.yaml), no token needed. */
void pc_api_openapi(pc_req *rq);
/* ---- webhooks ---- */
void pc_api_webhooks_list(pc_req *rq);
void pc_api_webhooks_create(pc_req *rq);
void pc_api_webhooks_get(pc_req *rq);
void pc_api_webhooks_patch(pc_req *rq);
void pc_api_webhooks_delete(pc_req *rq);
void pc_api_webhooks_secret(pc_req *rq);
void pc_api_webhooks_deliveries(pc_req *rq);
void pc_api_webhooks_test(pc_req *rq);
/* ---- end of webhooks ---- */
void pc_api_providers_list(pc_req *rq);
void pc_api_providers_create(pc_req *rq);
void pc_api_providers_get(pc_req *rq);
void pc_api_providers_patch(pc_req *rq);
void pc_api_providers_delete(pc_req *rq);
void pc_api_apps_provider_link(pc_req *rq);
void pc_api_apps_provider_unlink(pc_req *rq);
void pc_api_apps_default_providers(pc_req *rq);
void pc_api_me_mfa_get(pc_req *rq);
void pc_api_me_mfa_enrol(pc_req *rq);
void pc_api_me_mfa_verify(pc_req *rq);
void pc_api_me_mfa_preferred(pc_req *rq);
void pc_api_me_mfa_disable(pc_req *rq);
/* passkeys (issue #19), core/api/me_passkeys.c */
/** POST /me/mfa/webauthn/verify: {"name","credential"} stores a new passkey. */
void pc_api_me_passkey_verify(pc_req *rq);
/** GET /me/mfa/webauthn/credentials: the caller's passkeys. */
void pc_api_me_passkeys_list(pc_req *rq);
/** PATCH /me/mfa/webauthn/credentials/{credential_id}: {"name"}. */
void pc_api_me_passkey_rename(pc_req *rq);
/** DELETE /me/mfa/webauthn/credentials/{credential_id}: {"password"}; the last one disables the method. */
void pc_api_me_passkey_delete(pc_req *rq);
/** POST /me/step-up/webauthn: request options for a step-up with a passkey (step_up_passkey.c). */
void pc_api_me_step_up_webauthn(pc_req *rq);
/** POST /me/step-up/webauthn/verify: {"credential"} gives {"step_up","expires_in"}. */
void pc_api_me_step_up_webauthn_verify(pc_req *rq);
void pc_api_users_mfa_get(pc_req *rq);
void pc_api_users_mfa_reset(pc_req *rq);
/* ---- people (API.md §11–§13) ---- */
void pc_api_users_role_add(pc_req *rq);
void pc_api_users_role_remove(pc_req *rq);
void pc_api_groups_member_put(pc_req *rq);
void pc_api_groups_member_delete(pc_req *rq);
void pc_api_permissions_catalog(pc_req *rq);
void pc_api_tenant_get(pc_req *rq);
void pc_api_tenant_patch(pc_req *rq);
void pc_api_password_reset_request(pc_req *rq);
void pc_api_password_reset_confirm(pc_req *rq);
void pc_api_me_email_verification(pc_req *rq);
void pc_api_users_email_verification(pc_req *rq);
void pc_api_email_verify(pc_req *rq);
void pc_api_invitations_create(pc_req *rq);
void pc_api_invitations_list(pc_req *rq);
void pc_api_invitations_get(pc_req *rq);
void pc_api_invitations_revoke(pc_req *rq);
void pc_api_invitations_accept(pc_req *rq);
void pc_api_register(pc_req *rq);
/* ---- end of people ---- */
/* ---- authorization (API.md §15, §16) ---- */
void pc_api_policies_list(pc_req *rq);
void pc_api_policies_create(pc_req *rq);
void pc_api_policies_get(pc_req *rq);
void pc_api_policies_patch(pc_req *rq);
void pc_api_policies_delete(pc_req *rq);
/**
 * Step-up (API.md §16): does this call, needing resource:action, carry a fresh
 * enough second factor (or a Portcullis-OTP header with a current TOTP code)?
 * 1 if so; otherwise replies 401 AUT-0019 (RFC 9470), clears p and returns 0.
 */
int pc_api_step_up(pc_req *rq, pc_principal *p, const char *resource, const char *action);
/**
 * A recent authentication (API.md §16), for adding a factor of `method`: the caller's
 * token was issued by a sign-in (auth_time) within the tenant's step-up max_age, and, for
 * a factor that answers step-up or signs in alone (totp, webauthn), with the second factor
 * (amr "mfa") when the person already has one; or the request carries a Portcullis-OTP code
 * or a Portcullis-Step-Up proof (audited with "mfa:<method>"). 1 if so; otherwise replies
 * 401 AUT-0019 (RFC 9470), 403 AUT-0008 to an impersonation token (act), or 503, clears p
 * and returns 0.
 */
int pc_api_recent_sign_in(pc_req *rq, pc_principal *p, const char *method);
/* ---- end of authorization ---- */
/* ---- organizations (API.md §18) ---- */
void pc_api_orgs_list(pc_req *rq);
void pc_api_orgs_create(pc_req *rq);
void pc_api_orgs_get(pc_req *rq);
void pc_api_orgs_patch(pc_req *rq);
void pc_api_orgs_delete(pc_req *rq);
void pc_api_orgs_members_list(pc_req *rq);
void pc_api_orgs_member_put(pc_req *rq);
void pc_api_orgs_member_delete(pc_req *rq);
void pc_api_me_orgs(pc_req *rq);
/* The user page of the admin console: one user's organizations with the membership roles. */
void pc_api_users_orgs_list(pc_req *rq);
/* ---- end of organizations ---- */
/* ---- federation (API.md §14) ---- */
void pc_api_idps_list(pc_req *rq);
void pc_api_idps_create(pc_req *rq);
void pc_api_idps_get(pc_req *rq);
void pc_api_idps_patch(pc_req *rq);
void pc_api_idps_delete(pc_req *rq);
void pc_api_users_identities_list(pc_req *rq);
void pc_api_users_identities_delete(pc_req *rq);
void pc_api_me_identities_list(pc_req *rq);
void pc_api_me_identities_delete(pc_req *rq);
void pc_api_auth_providers(pc_req *rq);
/* ---- end of federation ---- */
#endif
