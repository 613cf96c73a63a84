/* SPDX-License-Identifier: Apache-2.0 */
/* The pushed authorization request endpoint (RFC 9126 §2) and the one-time use of its request_uri (§4). */
#include "oauth2/par.h"
#include "oauth2/client_auth.h"
#include "oauth2/dpop_token.h"
#include "oauth2/pkce.h"
#include "oauth2/redirect.h"
#include "oauth2/request.h"
#include "server/server.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PARAM 2048
#define SECRET_BYTES 32

/* The pushed parameters: from a request object (RFC 9126 §3) or from the form. New, or NULL. */
static json_t *pushed_params(const pc_oauth_request *rq, const pc_client *c, pc_oauth_reply *reply)
{
    const char *jwt = pc_oauth_param(rq, "request");
    const char *why = NULL;
    json_t *params = NULL;

    if (jwt != NULL) {
        if (pc_oauth2_request_object(c->app, jwt, rq->tenant->issuer, &params, &why) != PC_OK)
            pc_oauth_error(reply, 400, "invalid_request_object", why);
        return params;
    }
    params = json_object();
    for (size_t i = 0; pc_authz_param_names[i] != NULL; i++) {
        const char *v = pc_oauth_param(rq, pc_authz_param_names[i]);
        if (v != NULL && strlen(v) <= MAX_PARAM)
            json_object_set_new(params, pc_authz_param_names[i], json_string(v));
    }
    return params;
}

/* RFC 9126 §2.1: what the authorization endpoint would refuse at once is refused here. */
static const char *params_problem(const json_t *params, const pc_client *c)
{
    const char *id = json_string_value(json_object_get(params, "client_id"));
    const char *redirect = json_string_value(json_object_get(params, "redirect_uri"));
    const char *jkt = json_string_value(json_object_get(params, "dpop_jkt"));

    if (id != NULL && strcmp(id, c->client_id) != 0)
        return "client_id must be the authenticated client's";
    if (redirect == NULL ||
        !pc_redirect_uri_registered(json_object_get(c->app, "redirect_uris"), redirect))
        return "redirect_uri is missing or not registered for this client";
    /* RFC 9449 §10: a JWK SHA-256 thumbprint has the shape of an S256 challenge */
    if (jkt != NULL && !pc_oauth2_pkce_challenge_valid(jkt))
        return "dpop_jkt is malformed";
    return NULL;
}

static pc_status store_request(const pc_tenant *t, const pc_client *c, const json_t *params,
                               char **request_uri)
{
    char *secret = pc_random_token(SECRET_BYTES), *hash = pc_sha256_hex(secret);
    json_int_t now = pc_now();
    json_t *rec = json_pack("{s:s,s:s,s:s,s:O,s:I,s:I}", "id", hash, "tenant_id", t->id,
                            "client_id", c->client_id, "params", params, "created_at", now,
                            "expires_at", now + PC_PAR_TTL);
    pc_status rc = pc_db_insert(NULL, PC_ENT_PAR, rec, NULL, 0);

    /* Requests nobody used are of no further use once expired. */
    PC_DB->expire(PC_DBS, PC_ENT_PAR, "expires_at", now);
    *request_uri = rc == PC_OK ? pc_asprintf("%s%s", PC_PAR_URN, secret) : NULL;
    json_decref(rec);
    free(hash);
    pc_free_secret(secret);
    return rc == PC_OK ? PC_OK : PC_ERR_STORAGE;
}

/*
 * RFC 9449 §10.1: a DPoP proof on the push binds the code to its key, and a
 * dpop_jkt pushed with it must name that key. 1 to go on; 0 after the reply.
 */
static int bind_proof(const pc_oauth_request *rq, json_t *params, pc_oauth_reply *reply)
{
    const char *asked = json_string_value(json_object_get(params, "dpop_jkt"));
    char *jkt = NULL;
    int ok = pc_oauth2_dpop_token_proof(rq, "/oauth2/par", &jkt, reply);

    if (ok && jkt != NULL && asked != NULL && strcmp(asked, jkt) != 0) {
        pc_oauth_error(reply, 400, "invalid_request",
                       "dpop_jkt names another key than the DPoP proof");
        ok = 0;
    } else if (ok && jkt != NULL) {
        json_object_set_new(params, "dpop_jkt", json_string(jkt));
    }
    free(jkt);
    return ok;
}

void pc_oauth2_par(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    pc_client c;
    json_t *params = NULL;
    const char *problem;
    char *uri = NULL;

    /* RFC 9126 §2: the client authenticates as at the token endpoint (public clients by id) */
    if (pc_oauth2_client_authenticate(rq, 1, &c, reply) != PC_OK)
        return;
    if (pc_oauth_param(rq, "request_uri") != NULL) { /* RFC 9126 §2.1 */
        pc_oauth_error(reply, 400, "invalid_request", "request_uri cannot be pushed");
        goto out;
    }
    params = pushed_params(rq, &c, reply);
    if (params == NULL)
        goto out;
    if ((problem = params_problem(params, &c)) != NULL) {
        pc_oauth_error(reply, 400, "invalid_request", problem);
        goto out;
    }
    json_object_set_new(params, "client_id", json_string(c.client_id));
    if (!bind_proof(rq, params, reply))
        goto out;
    if (store_request(rq->tenant, &c, params, &uri) != PC_OK) {
        pc_oauth_unavailable(reply);
        goto out;
    }
    reply->status = 201; /* RFC 9126 §2.2 */
    reply->body = json_pack("{s:s,s:i}", "request_uri", uri, "expires_in", PC_PAR_TTL);
out:
    free(uri);
    json_decref(params);
    pc_client_clear(&c);
}

pc_status pc_oauth2_par_take(const pc_tenant *t, const char *request_uri, const char *client_id,
                             json_t **params)
{
    const char *secret;
    char *hash;
    json_t *rec = NULL;
    pc_status rc;

    *params = NULL;
    if (request_uri == NULL || strncmp(request_uri, PC_PAR_URN, strlen(PC_PAR_URN)) != 0 ||
        strlen(request_uri) > 256 || client_id == NULL)
        return PC_ERR_NOT_FOUND;
    secret = request_uri + strlen(PC_PAR_URN);
    hash = pc_sha256_hex(secret);
    rc = pc_db_get(NULL, PC_ENT_PAR, t->id, "id", hash, &rec);
    /* RFC 9126 §4: single use; of two uses, only the first removes the row */
    if (rc == PC_OK)
        rc = pc_db_remove(NULL, PC_ENT_PAR, t->id, hash);
    free(hash);
    if (rc == PC_OK && (json_integer_value(json_object_get(rec, "expires_at")) <= pc_now() ||
                        strcmp(json_string_value(json_object_get(rec, "client_id")), client_id)))
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        *params = json_incref(json_object_get(rec, "params"));
    json_decref(rec);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
}
