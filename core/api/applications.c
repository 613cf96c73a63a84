/* SPDX-License-Identifier: Apache-2.0 */
/* /applications: OAuth clients, with the secret shown once at creation and rotation. */
#include "api/applications.h"
#include "api/app_protocol.h"
#include "api/escalation.h"
#include "api/users.h"
#include "iam/links.h"
#include "iam/permcache.h"
#include "oauth2/changes.h"
#include "oauth2/client_auth.h"
#include "oauth2/grants.h"
#include "oauth2/redirect.h"
#include "oidc/claims.h"
#include "oidc/token_claims.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET_BYTES 32

static const char *const known_grants[] = {"authorization_code",
                                           "client_credentials",
                                           "password",
                                           "refresh_token",
                                           "urn:portcullis:params:oauth:grant-type:mfa",
                                           NULL};

/* The API view of an application (new), or NULL when the store cannot tell its links. */
/* The view of `a`, its roles and providers read in `tx` (NULL: outside one); NULL if a read fails. */
static json_t *app_view_in(pc_store_tx *tx, const json_t *a, const char *tenant_id)
{
    const char *id = json_string_value(json_object_get(a, "id"));
    json_t *roles = NULL, *providers = NULL, *defaults = json_object_get(a, "default_providers"),
           *v;

    /* Its roles and linked delivery providers (docs/mfa.md; the defaults are in the record) */
    if (pc_iam_role_names_in(tx, tenant_id, id, &roles) != PC_OK ||
        PC_DB->link_list(PC_DBS, tx, PC_LINK_APP_PROVIDER, tenant_id, id, 0, &providers) != PC_OK) {
        json_decref(roles);
        json_decref(providers);
        return NULL;
    }
    v = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:o,s:o,s:o}", "id",
                  json_object_get(a, "id"), "client_id", json_object_get(a, "client_id"), "name",
                  json_object_get(a, "name"), "type", json_object_get(a, "type"), "grant_types",
                  json_object_get(a, "grant_types"), "redirect_uris",
                  json_object_get(a, "redirect_uris"), "post_logout_redirect_uris",
                  json_object_get(a, "post_logout_redirect_uris"), "scopes",
                  json_object_get(a, "scopes"), "resources", json_object_get(a, "resources"),
                  "first_party", json_object_get(a, "first_party"), "roles", roles, "created_at",
                  pc_api_time(json_object_get(a, "created_at")), "updated_at",
                  pc_api_time(json_object_get(a, "updated_at")));
    json_object_set_new(v, "providers", providers);
    json_object_set_new(v, "default_providers",
                        json_is_object(defaults) ? json_incref(defaults) : json_object());
    json_object_set_new(v, "internal", json_boolean(json_is_true(json_object_get(a, "internal"))));
    json_object_set(v, "access_token_alg",
                    json_object_get(a, "access_token_alg") ? json_object_get(a, "access_token_alg")
                                                           : json_null());
    json_object_set(v, "id_token_signed_response_alg",
                    json_object_get(a, "id_token_signed_response_alg")
                        ? json_object_get(a, "id_token_signed_response_alg")
                        : json_null());
    json_object_set_new(v, "token_claims", pc_oidc_token_claims_of(a));
    pc_api_app_protocol_view(v, a); /* issue #18 */
    return v;
}

static json_t *app_view(const json_t *a, void *tenant_id)
{
    return app_view_in(NULL, a, tenant_id);
}

static json_t *app_load(pc_req *rq)
{
    json_t *a = NULL;
    pc_status rc =
        pc_db_get(NULL, PC_ENT_APPLICATION, rq->tenant->id, "id", pc_req_param(rq, "id"), &a);

    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    return rc == PC_OK ? a : NULL;
}

static int has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || *s == 0x7f)
            return 1;
    return 0;
}

static int absolute_uri(const char *s)
{
    const char *sep = strstr(s, "://");

    /* RFC 6749 §3.1.2: absolute, no fragment; and no control characters or
     * spaces, since registered URIs end up in Location headers. */
    return sep != NULL && sep > s && sep[3] != '\0' && strchr(s, '#') == NULL &&
           !has_control_chars(s);
}

static const char *list_problem(const json_t *list, int (*ok)(const char *))
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v)
        if (!ok(json_string_value(v)))
            return "contains an invalid value";
    return NULL;
}

/* A grant type is assignable if this server knows it or a loaded plugin serves it. */
static int known_grant(const char *g)
{
    void *state;

    for (size_t i = 0; known_grants[i]; i++)
        if (strcmp(known_grants[i], g) == 0)
            return 1;
    return pc_grants_find(g, &state) != NULL;
}

static int scope_token(const char *s)
{
    return *s != '\0' && strpbrk(s, " \"\\") == NULL && strlen(s) <= 128;
}

/* A signing alg of API.md §2, or null (the tenant's). */
static int alg_ok(const json_t *v)
{
    return v == NULL || json_is_null(v) ||
           pc_jose_alg_from_str(json_string_value(v)) != PC_ALG_NONE_;
}

const char *pc_api_app_problem(const json_t *merged, const char **field)
{
    const char *type = json_string_value(json_object_get(merged, "type"));
    const char *name = json_string_value(json_object_get(merged, "name"));
    static const struct {
        const char *f;
        int (*ok)(const char *);
    } lists[] = {{"grant_types", known_grant},
                 {"redirect_uris", pc_redirect_uri_valid}, /* RFC 8252 §7.1 too */
                 {"post_logout_redirect_uris", absolute_uri},
                 {"scopes", scope_token},
                 {"resources", absolute_uri}};

    *field = "name";
    if (name == NULL || *name == '\0' || strlen(name) > 128)
        return "must be 1 to 128 characters";
    *field = "type";
    if (type == NULL || (strcmp(type, "confidential") && strcmp(type, "public")))
        return "must be confidential or public";
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        const char *p = list_problem(json_object_get(merged, lists[i].f), lists[i].ok);
        *field = lists[i].f;
        if (p != NULL)
            return p;
    }
    *field = "access_token_alg";
    if (!alg_ok(json_object_get(merged, *field)))
        return "must be RS256, PS256, ES256, EdDSA or null";
    *field = "id_token_signed_response_alg";
    if (!alg_ok(json_object_get(merged, *field)))
        return "must be RS256, PS256, ES256, EdDSA or null";
    *field = "token_claims";
    if (pc_oidc_token_claims_problem(json_object_get(merged, "token_claims")) != NULL)
        return pc_oidc_token_claims_problem(json_object_get(merged, "token_claims"));
    *field = "grant_types";
    if (strcmp(type, "public") == 0 &&
        pc_json_has_string(json_object_get(merged, "grant_types"), "client_credentials"))
        return "a public client cannot use client_credentials";
    return pc_api_app_protocol_problem(merged, field); /* issue #18 */
}

static const pc_field app_fields[] = {
    {"name", PC_F_STRING, 1},
    {"type", PC_F_STRING, 0},
    {"grant_types", PC_F_STRINGS, 0},
    {"redirect_uris", PC_F_STRINGS, 0},
    {"post_logout_redirect_uris", PC_F_STRINGS, 0},
    {"scopes", PC_F_STRINGS, 0},
    {"resources", PC_F_STRINGS, 0},
    {"roles", PC_F_STRINGS, 0},
    {"first_party", PC_F_BOOL, 0},
    /* API.md §11, §13 */
    {"internal", PC_F_BOOL, 0},
    {"access_token_alg", PC_F_NULLABLE_STRING, 0},
    {"id_token_signed_response_alg", PC_F_NULLABLE_STRING, 0},
    {"token_claims", PC_F_OBJECT, 0},
    PC_API_APP_PROTOCOL_FIELDS, /* issue #18 */
};
#define NFIELDS (sizeof app_fields / sizeof *app_fields)

/*
 * A first-party application skips the consent page, so whoever decides where
 * its codes and tokens go can sign in as anyone who uses it: marking an
 * application first-party, or changing where a first-party application sends
 * people or how it authenticates, needs applications:trust (API.md §3).
 */
static const char *const trusted_fields[] = {
    "first_party", "redirect_uris", "post_logout_redirect_uris", "grant_types", "type",
    /* issue #18: how it authenticates */
    "token_endpoint_auth_method", "jwks", "jwks_uri", "backchannel_logout_uri", NULL};

static int same(const json_t *a, const json_t *b)
{
    return (a == NULL && b == NULL) || json_equal(a, b);
}

/*
 * Trusted alike: a first-party application, and one allowed portcullis:manage,
 * whose tokens carry a consenting administrator's rights into the management
 * API once a browser session has allowed it (later requests ask nobody).
 */
int pc_api_app_trusted(const json_t *app)
{
    return app != NULL && (json_is_true(json_object_get(app, "first_party")) ||
                           pc_json_has_string(json_object_get(app, "scopes"), PC_SCOPE_MANAGE));
}

static int changes_trust(const json_t *before, const json_t *after)
{
    int was = pc_api_app_trusted(before), is = pc_api_app_trusted(after);

    if (before == NULL || (is && !was))
        return is;
    if (!was && !is)
        return 0;
    for (size_t i = 0; trusted_fields[i]; i++)
        if (!same(json_object_get(before, trusted_fields[i]),
                  json_object_get(after, trusted_fields[i])))
            return 1;
    return 0;
}

int pc_api_require_trust(pc_req *rq, const pc_principal *p, const char *refusal)
{
    int allowed = 0;

    if (pc_permcache_check(rq->tenant->id, p->id, "applications", "trust", &allowed) != PC_OK) {
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
        return 0;
    }
    if (allowed)
        return 1;
    pc_api_error(rq, PC_API_FORBIDDEN, refusal, NULL);
    return 0;
}

/* 1 if the change needs no trust or the caller holds applications:trust; else replies 403. */
static int may_trust(pc_req *rq, const pc_principal *p, const json_t *before, const json_t *after)
{
    return !changes_trust(before, after) ||
           pc_api_require_trust(rq, p,
                                "Permission applications:trust is required to make an application "
                                "first-party or allow it portcullis:manage, or to change where "
                                "such an application sends people");
}

json_t *pc_api_app_default_record(const pc_tenant *t, const char *type)
{
    char id[37], *client_id = pc_random_token(16);
    json_int_t now = pc_now();
    int pub = type != NULL && strcmp(type, "public") == 0;
    json_t *rec;

    pc_uuid7(id);
    rec = json_pack("{s:s,s:s,s:s,s:s,s:n,s:o,s:[],s:[],s:[s,s,s,s,s],s:[],s:b,s:I,s:I}", "id", id,
                    "tenant_id", t->id, "client_id", client_id, "type",
                    pub ? "public" : "confidential", "secret_hash", "grant_types",
                    pub ? json_pack("[s,s]", "authorization_code", "refresh_token")
                        : json_pack("[s]", "client_credentials"),
                    "redirect_uris", "post_logout_redirect_uris", "scopes", "openid", "profile",
                    "email", "phone", "offline_access", "resources", "first_party", 0, "created_at",
                    now, "updated_at", now);
    free(client_id);
    return rec;
}

/* Copy the body's record columns over `rec` (roles are links, not columns). */
static void merge_body(json_t *rec, const json_t *body)
{
    const char *key;
    json_t *v;

    json_object_foreach ((json_t *)body, key, v)
        if (strcmp(key, "roles") != 0)
            json_object_set(rec, key, v);
}

/* Every node drops its cached copy when this commits. */
static pc_status app_changed(pc_store_tx *tx, pc_req *rq, const json_t *app)
{
    return pc_change_write(tx, rq->tenant->id, "app",
                           json_string_value(json_object_get(app, "client_id")), pc_now() + 3600);
}

/*
 * Store `rec` (and its roles) in one transaction. With `view`, the view of what was written is
 * read in the same transaction before it commits: a create's answer carries the one-time
 * client_secret, so a read that fails must leave nothing stored rather than lose it.
 */
static pc_status save_app(pc_req *rq, const pc_principal *p, json_t *rec, const json_t *roles,
                          int create, char *conflict, json_t **unknown, json_t **view)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);
    json_t *cols;

    if (rc == PC_OK && create) {
        rc = pc_db_insert(tx, PC_ENT_APPLICATION, rec, conflict, 64);
    } else if (rc == PC_OK) {
        cols = json_deep_copy(rec);
        json_object_del(cols, "id");
        json_object_del(cols, "tenant_id");
        json_object_del(cols, "client_id");
        json_object_del(cols, "created_at");
        rc = pc_db_update(tx, PC_ENT_APPLICATION, rq->tenant->id, id, cols, conflict, 64);
        json_decref(cols);
        if (rc == PC_OK)
            rc = app_changed(tx, rq, rec);
    }
    if (rc == PC_OK && roles != NULL)
        rc = pc_iam_set_roles(tx, rq->tenant->id, id, roles, unknown);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, create ? "application.created" : "application.updated", id,
                          json_pack("{s:O}", "client_id", json_object_get(rec, "client_id")));
    if (rc == PC_OK && view != NULL && (*view = app_view_in(tx, rec, rq->tenant->id)) == NULL)
        rc = PC_ERR_STORAGE;
    return pc_api_finish(tx, rc);
}

static void reply_saved(pc_req *rq, pc_status rc, const char *conflict, json_t *unknown,
                        json_t *rec, unsigned status, json_t *view)
{
    if (rc == PC_ERR_INVALID && unknown != NULL) {
        pc_api_error(rq, PC_API_INVALID, "Unknown role names", json_incref(unknown));
        return;
    }
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, conflict);
        return;
    }
    pc_api_reply_view(rq, status, view != NULL ? json_incref(view) : app_view(rec, rq->tenant->id));
}

void pc_api_apps_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *unknown = NULL, *view = NULL;
    const char *field, *problem;
    char *secret = NULL, *hash = NULL, conflict[64] = "";
    pc_status rc;

    if (!pc_api_require(rq, &p, "applications", "create") ||
        (body = pc_api_body(rq, app_fields, NFIELDS)) == NULL ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")))
        goto out;
    rec = pc_api_app_default_record(rq->tenant, json_string_value(json_object_get(body, "type")));
    merge_body(rec, body);
    if (!may_trust(rq, &p, NULL, rec))
        goto out;
    if ((problem = pc_api_app_problem(rec, &field)) != NULL) {
        pc_api_invalid_field(rq, field, problem);
        goto out;
    }
    /* private_key_jwt: the keys are the credential; a secret could never be used (issue #18) */
    if (strcmp(json_string_value(json_object_get(rec, "type")), "confidential") == 0 &&
        !pc_api_app_keys_only(rec)) {
        secret = pc_random_token(SECRET_BYTES);
        hash = pc_client_secret_hash(secret);
        json_object_set_new(rec, "secret_hash", json_string(hash));
    }
    pc_api_app_protocol_secret(rec, secret); /* issue #18: client_secret_jwt */
    rc = save_app(rq, &p, rec, json_object_get(body, "roles"), 1, conflict, &unknown, &view);
    if (rc == PC_OK && secret != NULL) /* view is whole: read before the commit */
        json_object_set_new(view, "client_secret", json_string(secret));
    reply_saved(rq, rc, conflict, unknown, rec, 201, rc == PC_OK ? view : NULL);
out:
    json_decref(view);
    free(hash);
    pc_free_secret(secret);
    json_decref(unknown);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

int pc_api_app_authorised(pc_req *rq, pc_principal *p, const char *action, json_t **app)
{
    *app = NULL;
    if (!pc_api_require(rq, p, "applications", action))
        return 0;
    *app = app_load(rq);
    /* Changing or removing an application is acting on what it holds (its roles). */
    if (*app != NULL && strcmp(action, "read") != 0 &&
        !pc_api_may_touch(rq, p, PC_ENT_APPLICATION, *app)) {
        json_decref(*app);
        *app = NULL;
    }
    return *app != NULL;
}

void pc_api_apps_get(pc_req *rq)
{
    pc_principal p = {0};
    json_t *a;

    if (pc_api_app_authorised(rq, &p, "read", &a))
        pc_api_reply_view(rq, 200, app_view(a, rq->tenant->id));
    json_decref(a);
    pc_principal_clear(&p);
}

void pc_api_apps_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor;
    json_t *rows = NULL, *filters = NULL;
    const char *internal = pc_req_param(rq, "internal");
    pc_store_query q;
    pc_status rc;

    if (!pc_api_require(rq, &p, "applications", "read") || !pc_api_page(rq, &limit, &cursor))
        goto out;
    /* API.md §11: internal applications are left out unless asked for */
    if (internal == NULL || strcmp(internal, "true") != 0)
        filters = json_pack("{s:b}", "internal", 0);
    q = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 0};
    rc = pc_db_list(NULL, PC_ENT_APPLICATION, rq->tenant->id, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, app_view, rq->tenant->id);
out:
    json_decref(filters);
    pc_principal_clear(&p);
}

void pc_api_apps_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *a = NULL, *before = NULL, *unknown = NULL;
    const char *field, *problem;
    char conflict[64] = "";

    if (!pc_api_app_authorised(rq, &p, "update", &a) ||
        (body = pc_api_body_patch(rq, app_fields, NFIELDS)) == NULL ||
        !pc_api_may_grant_roles(rq, &p, json_object_get(body, "roles")))
        goto out;
    before = json_deep_copy(a);
    merge_body(a, body);
    if (!may_trust(rq, &p, before, a))
        goto out;
    json_object_set_new(a, "updated_at", json_integer(pc_now()));
    if ((problem = pc_api_app_problem(a, &field)) != NULL) {
        pc_api_invalid_field(rq, field, problem);
        goto out;
    }
    pc_api_app_protocol_secret(a, NULL); /* issue #18: client_secret_jwt */
    reply_saved(rq,
                save_app(rq, &p, a, json_object_get(body, "roles"), 0, conflict, &unknown, NULL),
                conflict, unknown, a, 200, NULL);
out:
    json_decref(unknown);
    json_decref(before);
    json_decref(a);
    json_decref(body);
    pc_principal_clear(&p);
}

/* Every token issued to the client so far dies; refresh tokens too. */
pc_status pc_api_app_revoke_tokens(pc_store_tx *tx, pc_req *rq, const char *client_id)
{
    pc_status rc = pc_change_write(tx, rq->tenant->id, "client", client_id,
                                   pc_now() + rq->tenant->refresh_ttl);

    if (rc == PC_OK)
        rc = PC_DB->refresh_revoke(PC_DBS, tx, rq->tenant->id, "client_id", client_id, pc_now(),
                                   NULL);
    return rc;
}

void pc_api_apps_delete(pc_req *rq)
{
    pc_principal p = {0};
    json_t *a;
    const char *id, *client_id;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_app_authorised(rq, &p, "delete", &a))
        goto out;
    id = json_string_value(json_object_get(a, "id"));
    client_id = json_string_value(json_object_get(a, "client_id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_APPLICATION, rq->tenant->id, id);
    /* Every token issued to the client dies with it, refresh tokens included. */
    if (rc == PC_OK)
        rc = pc_api_app_revoke_tokens(tx, rq, client_id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "application.deleted", id,
                          json_pack("{s:s}", "client_id", client_id));
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(a);
    pc_principal_clear(&p);
}

static const pc_field secret_fields[] = {{"revoke_tokens", PC_F_BOOL, 0}};

/* The optional body of a rotation: {"revoke_tokens": true|false}, true when absent (new). */
static json_t *secret_body(pc_req *rq)
{
    size_t len;

    if (pc_req_body(rq, &len) == NULL || len == 0)
        return json_object();
    return pc_api_body(rq, secret_fields, 1);
}

/*
 * A client revocation cuts tokens issued up to and including its second, so
 * answer only once that second is over: the first token the new secret gets
 * is then never caught by it.
 */
static void wait_past(int64_t second)
{
    struct timespec ts = {0, 20 * 1000 * 1000};

    while (pc_now() <= second)
        nanosleep(&ts, NULL);
}

static pc_status rotate_secret(pc_req *rq, const pc_principal *p, const json_t *a,
                               const char *secret, int revoke)
{
    const char *id = json_string_value(json_object_get(a, "id"));
    const char *client_id = json_string_value(json_object_get(a, "client_id"));
    char *hash = pc_client_secret_hash(secret);
    json_t *patch =
        json_pack("{s:s,s:I,s:O}", "secret_hash", hash, "updated_at", (json_int_t)pc_now(),
                  "token_endpoint_auth_method", json_object_get(a, "token_endpoint_auth_method"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    free(hash);
    json_object_set(patch, "id", json_object_get(a, "id"));
    pc_api_app_protocol_secret(patch, secret); /* issue #18: client_secret_jwt */
    json_object_del(patch, "id");
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_APPLICATION, rq->tenant->id, id, patch, NULL, 0);
    if (rc == PC_OK)
        rc = app_changed(tx, rq, a);
    if (rc == PC_OK && revoke)
        rc = pc_api_app_revoke_tokens(tx, rq, client_id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "application.secret_rotated", id,
                          json_pack("{s:s,s:b}", "client_id", client_id, "tokens_revoked", revoke));
    json_decref(patch);
    rc = pc_api_finish(tx, rc);
    if (rc == PC_OK && revoke)
        wait_past(pc_now());
    return rc;
}

void pc_api_apps_secret(pc_req *rq)
{
    pc_principal p = {0};
    json_t *a = NULL, *body = NULL;
    char *secret = NULL;
    pc_status rc;

    if (!pc_api_app_authorised(rq, &p, "update", &a) || (body = secret_body(rq)) == NULL)
        goto out;
    if (strcmp(json_string_value(json_object_get(a, "type")), "confidential") != 0) {
        pc_api_invalid_field(rq, "type", "a public client has no secret");
        goto out;
    }
    if (pc_api_app_keys_only(a)) {
        pc_api_invalid_field(rq, "token_endpoint_auth_method",
                             "a private_key_jwt application proves itself with its keys and has "
                             "no secret");
        goto out;
    }
    /* The secret of a trusted application is as strong as its redirect URIs. */
    if (pc_api_app_trusted(a) && !may_trust(rq, &p, NULL, a))
        goto out;
    secret = pc_random_token(SECRET_BYTES);
    rc = rotate_secret(rq, &p, a, secret, !json_is_false(json_object_get(body, "revoke_tokens")));
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 200,
                      json_pack("{s:O,s:s}", "client_id", json_object_get(a, "client_id"),
                                "client_secret", secret));
out:
    pc_free_secret(secret);
    json_decref(body);
    json_decref(a);
    pc_principal_clear(&p);
}
