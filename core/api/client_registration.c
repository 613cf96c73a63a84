/* SPDX-License-Identifier: Apache-2.0 */
/* Dynamic client registration (RFC 7591) and management by registration access token (RFC 7592). */
#include "api/applications.h"
#include "api/users.h"
#include "iam/audit.h"
#include "oauth2/changes.h"
#include "oauth2/client_auth.h"
#include "oauth2/client_metadata.h"
#include "oauth2/throttle.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32
#define MAX_BODY 65536
/* Open registration: clients one address may register per throttle window. */
#define PER_ADDRESS 20

static void oauth_error(pc_req *rq, unsigned status, const char *error, const char *description)
{
    pc_reply_header(rq, "Cache-Control", "no-store");
    pc_reply_json(rq, status,
                  json_pack("{s:s,s:s}", "error", error, "error_description", description));
}

/* RFC 6750 §3.1: a bad or missing registration access token. */
static void bad_token(pc_req *rq)
{
    pc_reply_header(rq, "WWW-Authenticate", "Bearer realm=\"portcullis\", error=\"invalid_token\"");
    oauth_error(rq, 401, "invalid_token", "the registration access token is not valid");
}

/* Open registration is anyone's: each address registers at most PER_ADDRESS clients per window. */
static int open_allowed(pc_req *rq)
{
    char *key = pc_asprintf("dcr:%s:%s", rq->tenant->id, rq->ip);
    int64_t retry = 0;
    char value[24];
    int ok = pc_throttle_check(key, PER_ADDRESS, &retry) == PC_OK;

    if (ok) {
        pc_throttle_fail(key, PER_ADDRESS); /* counted when asked: a flood is refused early */
    } else {
        snprintf(value, sizeof value, "%lld", (long long)retry);
        pc_reply_header(rq, "Retry-After", value);
        oauth_error(rq, 429, "temporarily_unavailable", "too many registrations from this address");
    }
    free(key);
    return ok;
}

/* Is registration on (PC_OK), and for "protected" does the caller hold applications:create? */
static int may_register(pc_req *rq, pc_principal *p)
{
    const char *mode = rq->tenant->dcr_mode;

    if (strcmp(mode, "open") == 0)
        return open_allowed(rq);
    if (strcmp(mode, "protected") == 0) /* the initial access token: as at POST /applications */
        return pc_api_require(rq, p, "applications", "create");
    oauth_error(rq, 404, "invalid_request", "dynamic client registration is not enabled here");
    return 0;
}

/* The metadata of the body as application fields (new), or NULL after replying 400. */
static json_t *body_fields(pc_req *rq)
{
    size_t len = 0;
    const char *text = pc_req_body(rq, &len);
    json_t *meta =
        text && len <= MAX_BODY ? json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const char *error = "invalid_client_metadata", *why = "the body must be a JSON object";
    json_t *out = meta ? pc_client_metadata_parse(meta, &error, &why) : NULL;

    json_decref(meta);
    if (out == NULL)
        oauth_error(rq, 400, error, why);
    return out;
}

/* The management API's rules (API.md §20 for jwks_uri too), as RFC 7591 errors. */
static int valid(pc_req *rq, const json_t *rec)
{
    const char *field, *problem = pc_api_app_problem(rec, &field);
    char *why;

    if (problem == NULL)
        return 1;
    why = pc_asprintf("%s: %s", field, problem);
    oauth_error(rq, 400,
                strcmp(field, "redirect_uris") == 0 ? "invalid_redirect_uri"
                                                    : "invalid_client_metadata",
                why);
    free(why);
    return 0;
}

/* How the client authenticates: "none", "private_key_jwt" (RFC 7523) or "secret". */
static const char *auth_kind(const json_t *rec)
{
    const char *m = json_string_value(json_object_get(rec, "token_endpoint_auth_method"));

    if (strcmp(json_string_value(json_object_get(rec, "type")), "public") == 0)
        return "none";
    return m != NULL && strcmp(m, "private_key_jwt") == 0 ? m : "secret";
}

/* A new secret and registration access token, their hashes set on rec; both new. */
static void credentials(json_t *rec, char **secret, char **token)
{
    char *hash;

    *secret = NULL;
    /* a private_key_jwt client proves itself with its keys: a secret would be one more to steal */
    if (strcmp(auth_kind(rec), "secret") == 0) {
        *secret = pc_random_token(TOKEN_BYTES);
        hash = pc_client_secret_hash(*secret);
        json_object_set_new(rec, "secret_hash", json_string(hash));
        free(hash);
    }
    *token = pc_random_token(TOKEN_BYTES);
    hash = pc_sha256_hex(*token);
    json_object_set_new(rec, "registration_token_hash", json_string(hash));
    free(hash);
}

static pc_status save(pc_req *rq, json_t *rec, int create, const char *event)
{
    const char *client_id = json_string_value(json_object_get(rec, "client_id"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);
    json_t *cols, *details = json_pack("{s:s,s:b}", "client_id", client_id, "dynamic", 1);

    if (rc == PC_OK && create) {
        rc = pc_db_insert(tx, PC_ENT_APPLICATION, rec, NULL, 0);
    } else if (rc == PC_OK) {
        cols = json_deep_copy(rec);
        json_object_del(cols, "id");
        json_object_del(cols, "tenant_id");
        json_object_del(cols, "client_id");
        json_object_del(cols, "created_at");
        rc = pc_db_update(tx, PC_ENT_APPLICATION, rq->tenant->id,
                          json_string_value(json_object_get(rec, "id")), cols, NULL, 0);
        json_decref(cols);
        if (rc == PC_OK) /* every node drops its cached copy */
            rc = pc_change_write(tx, rq->tenant->id, "app", client_id, pc_now() + 3600);
    }
    if (rc == PC_OK)
        rc = pc_audit_record(tx, rq->tenant->id, event, client_id,
                             json_string_value(json_object_get(rec, "id")), rq->ip, details);
    json_decref(details);
    return pc_api_finish(tx, rc);
}

/* RFC 7591 §3.2.1 / RFC 7592 §3: the metadata with the credentials shown this once. */
static void reply_client(pc_req *rq, unsigned status, const json_t *rec, const char *secret,
                         const char *token)
{
    json_t *v = pc_client_metadata_view(rec);

    if (secret != NULL) {
        json_object_set_new(v, "client_secret", json_string(secret));
        json_object_set_new(v, "client_secret_expires_at", json_integer(0));
    }
    if (token != NULL)
        json_object_set_new(v, "registration_access_token", json_string(token));
    json_object_set_new(v, "registration_client_uri",
                        json_sprintf("%s/oauth2/register/%s", rq->tenant->issuer,
                                     json_string_value(json_object_get(rec, "client_id"))));
    pc_reply_header(rq, "Cache-Control", "no-store");
    pc_reply_json(rq, status, v);
}

/* A generated name keeps names unique per tenant when the client gives none. */
static void default_name(json_t *rec)
{
    if (json_object_get(rec, "name") == NULL)
        json_object_set_new(rec, "name",
                            json_sprintf("Registered client %.8s",
                                         json_string_value(json_object_get(rec, "client_id"))));
}

void pc_api_dcr_register(pc_req *rq)
{
    pc_principal p = {0};
    json_t *fields = NULL, *rec = NULL;
    char *secret = NULL, *token = NULL;
    pc_status rc;

    if (!may_register(rq, &p) || (fields = body_fields(rq)) == NULL)
        goto out;
    rec = pc_api_app_default_record(rq->tenant, json_string_value(json_object_get(fields, "type")));
    json_object_update(rec, fields);
    default_name(rec);
    if (!valid(rq, rec))
        goto out;
    credentials(rec, &secret, &token);
    rc = save(rq, rec, 1, "application.created");
    if (rc == PC_ERR_CONFLICT)
        oauth_error(rq, 400, "invalid_client_metadata", "client_name is already taken");
    else if (rc != PC_OK)
        oauth_error(rq, 503, "temporarily_unavailable", "try again later");
    else
        reply_client(rq, 201, rec, secret, token);
out:
    pc_free_secret(secret);
    pc_free_secret(token);
    json_decref(rec);
    json_decref(fields);
    pc_principal_clear(&p);
}

/* RFC 7592 §2: the client of the path, when the bearer token is its registration access token. */
static json_t *registered_client(pc_req *rq)
{
    const char *token = pc_req_bearer(rq);
    json_t *app = NULL;
    const char *stored;
    char *hash;
    pc_status rc;

    if (strcmp(rq->tenant->dcr_mode, "off") == 0) {
        oauth_error(rq, 404, "invalid_request", "dynamic client registration is not enabled here");
        return NULL;
    }
    rc = pc_db_get(NULL, PC_ENT_APPLICATION, rq->tenant->id, "client_id",
                   pc_req_param(rq, "client_id"), &app);
    if (rc == PC_ERR_STORAGE) {
        oauth_error(rq, 503, "temporarily_unavailable", "try again later");
        return NULL;
    }
    stored = json_string_value(json_object_get(app, "registration_token_hash"));
    hash = token ? pc_sha256_hex(token) : NULL;
    if (rc != PC_OK || stored == NULL || hash == NULL || !pc_ct_streq(stored, hash)) {
        json_decref(app);
        app = NULL;
        bad_token(rq); /* an unknown client and a wrong token answer alike */
    }
    free(hash);
    return app;
}

void pc_api_dcr_read(pc_req *rq)
{
    json_t *app = registered_client(rq);

    if (app != NULL)
        reply_client(rq, 200, app, NULL, NULL);
    json_decref(app);
}

/*
 * RFC 7592 §2.2 (403: the client may not update itself): an administrator made this client
 * trusted (first-party, or portcullis:manage), which is applications:trust's to keep; the
 * registration access token could otherwise re-point its redirect URIs at consent-less codes.
 */
static int untrusted(pc_req *rq, const json_t *app)
{
    if (!pc_api_app_trusted(app))
        return 1;
    oauth_error(rq, 403, "access_denied",
                "an administrator made this client trusted; change it through the management API "
                "(/api/v1/applications)");
    return 0;
}

/* RFC 7592 §2.2: the metadata is replaced; the client keeps its id, secret and token. */
void pc_api_dcr_update(pc_req *rq)
{
    json_t *app = registered_client(rq), *fields = NULL, *rec = NULL;
    const char *body_id;
    pc_status rc;

    if (app == NULL || !untrusted(rq, app) || (fields = body_fields(rq)) == NULL)
        goto out;
    body_id = json_string_value(json_object_get(fields, "client_id"));
    rec = json_deep_copy(app);
    json_object_update(rec, fields);
    default_name(rec);
    json_object_set_new(rec, "updated_at", json_integer(pc_now()));
    if (body_id != NULL && strcmp(body_id, json_string_value(json_object_get(app, "client_id")))) {
        oauth_error(rq, 400, "invalid_client_metadata", "client_id does not match");
        goto out;
    }
    /* none, a secret and keys are different credentials: a client keeps the kind it has */
    if (strcmp(auth_kind(app), auth_kind(rec)) != 0) {
        oauth_error(rq, 400, "invalid_client_metadata",
                    "token_endpoint_auth_method cannot change between none, a secret and "
                    "private_key_jwt");
        goto out;
    }
    if (!valid(rq, rec))
        goto out;
    rc = save(rq, rec, 0, "application.updated");
    if (rc == PC_OK)
        reply_client(rq, 200, rec, NULL, NULL);
    else if (rc == PC_ERR_CONFLICT)
        oauth_error(rq, 400, "invalid_client_metadata", "client_name is already taken");
    else
        oauth_error(rq, 503, "temporarily_unavailable", "try again later");
out:
    json_decref(rec);
    json_decref(fields);
    json_decref(app);
}

/* RFC 7592 §2.3: the client is gone, with every token issued to it. */
void pc_api_dcr_delete(pc_req *rq)
{
    json_t *app = registered_client(rq);
    const char *client_id;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (app == NULL)
        return;
    client_id = json_string_value(json_object_get(app, "client_id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_APPLICATION, rq->tenant->id,
                          json_string_value(json_object_get(app, "id")));
    if (rc == PC_OK)
        rc = pc_api_app_revoke_tokens(tx, rq, client_id);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, rq->tenant->id, "application.deleted", client_id,
                             json_string_value(json_object_get(app, "id")), rq->ip, NULL);
    if (pc_api_finish(tx, rc) == PC_OK)
        pc_reply_empty(rq, 204);
    else
        oauth_error(rq, 503, "temporarily_unavailable", "try again later");
    json_decref(app);
}
