/* SPDX-License-Identifier: Apache-2.0 */
/* AuthZEN 1.0 over HTTPS: metadata, /access/v1/evaluation(s), the caller's credentials, X-Request-ID. */
#include "http/endpoints.h"
#include "api/api.h"
#include "authz/authz.h"
#include "authz/authzen.h"
#include "iam/permcache.h"
#include "oauth2/client_auth.h"
#include "http/dpop.h"
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

/* AuthZEN 1.0 §11.2: an error is its status with "an error message string". */
static void fail(pc_req *rq, unsigned status, const char *message)
{
    if (status == 401)
        pc_reply_header(rq, "WWW-Authenticate",
                        "Bearer, DPoP algs=\"RS256 PS256 ES256 EdDSA\", Basic realm=\"authzen\"");
    if (status == 503)
        pc_reply_header(rq, "Retry-After", "1");
    json_t *body = json_string(message);
    char *text = json_dumps(body, JSON_ENCODE_ANY);

    pc_reply_raw(rq, status, "application/json", text ? text : "\"error\"");
    free(text);
    json_decref(body);
}

static const char *no_param(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

/* HTTP Basic client credentials: the application's id, or a status to answer. */
static unsigned client_caller(pc_req *rq, const char *user, const char *password, char **id)
{
    pc_oauth_request orq = {.tenant = rq->tenant,
                            .ip = rq->ip,
                            .param = no_param,
                            .basic_user = user,
                            .basic_password = password};
    pc_oauth_reply reply = {0};
    pc_client c = {0};
    unsigned status = 0;

    if (pc_oauth2_client_authenticate(&orq, 0, &c, &reply) == PC_OK)
        *id = strdup(c.id);
    else
        status = reply.status == 503 || reply.status == 429 ? reply.status : 401;
    json_decref(reply.body);
    pc_client_clear(&c);
    return status;
}

/*
 * An access token of this tenant, meant for its default audience; a DPoP-bound
 * one with a proof of its key (RFC 9449 §7). *why says what was wrong with a proof.
 */
static unsigned token_caller(pc_req *rq, const char *token, int dpop_scheme, char **id,
                             const char **why)
{
    json_t *claims = NULL, *facts = NULL;
    const char *error;
    pc_status rc = pc_http_access_accept(rq, token, dpop_scheme, &claims, &error, why);
    const char *aud = json_string_value(json_object_get(claims, "aud"));
    int is_user = json_object_get(claims, "sid") != NULL, third_party = 0;

    if (rc == PC_OK && (aud == NULL || strcmp(aud, rq->tenant->audience) != 0))
        rc = PC_ERR_DENIED;
    /* A third-party application must not wield its user's permissions:check (API.md §15). */
    if (rc == PC_OK && (rc = pc_api_holder_may_act_for_user(rq->tenant, claims)) == PC_ERR_DENIED)
        third_party = 1;
    if (rc == PC_OK)
        rc = pc_pdp_subject(rq->tenant->id, is_user ? "user" : "application",
                            json_string_value(json_object_get(claims, "sub")), &facts);
    if (rc == PC_OK)
        *id = strdup(json_string_value(json_object_get(facts, "id")));
    json_decref(facts);
    json_decref(claims);
    return rc == PC_OK ? 0 : rc == PC_ERR_STORAGE ? 503 : third_party ? 403 : 401;
}

static const char *refusal(unsigned status, const char *why)
{
    return status == 503   ? "The store is unavailable; retry later"
           : status == 429 ? "Too many attempts"
           : status == 403 ? "Tokens held by third-party applications cannot ask for decisions "
                             "without the scope portcullis:manage"
           : why != NULL   ? why
                           : "A valid bearer token or client credentials are required";
}

/* The caller must hold permissions:check (API.md §15). Replies and returns 0 if not. */
static int authorized(pc_req *rq)
{
    char *user = NULL, *password = NULL, *id = NULL;
    int dpop_scheme = 0;
    const char *token = pc_req_access_token(rq, &dpop_scheme), *why = NULL;
    unsigned status = 401;
    int may = 0;

    if (token != NULL)
        status = token_caller(rq, token, dpop_scheme, &id, &why);
    else if (pc_req_basic(rq, &user, &password))
        status = client_caller(rq, user, password, &id);
    u_free(user);
    if (password != NULL) {
        memset(password, 0, strlen(password));
        u_free(password);
    }
    if (status == 0 &&
        pc_permcache_check(rq->tenant->id, id, "permissions", "check", &may) != PC_OK)
        status = 503;
    free(id);
    if (status != 0)
        fail(rq, status, refusal(status, why));
    else if (!may)
        fail(rq, 403, "Permission permissions:check is required");
    return status == 0 && may;
}

/* §11.2.7: the caller's request identifier comes back unchanged. */
static void echo_request_id(pc_req *rq)
{
    const char *id = pc_req_header(rq, "X-Request-ID");

    if (id == NULL || strlen(id) > 256)
        return;
    for (const char *p = id; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return;
    pc_reply_header(rq, "X-Request-ID", id);
}

typedef pc_status (*evaluate_fn)(pc_req *rq, const json_t *body, json_t **out, char *err,
                                 size_t len);

static void run(pc_req *rq, evaluate_fn fn)
{
    size_t len = 0;
    const char *raw;
    json_t *body = NULL, *out = NULL;
    char err[200];
    pc_status rc;

    echo_request_id(rq);
    if (!authorized(rq))
        return;
    raw = pc_req_body(rq, &len);
    body = raw ? json_loadb(raw, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(body)) {
        fail(rq, 400, "The body must be a JSON object");
        json_decref(body);
        return;
    }
    rc = fn(rq, body, &out, err, sizeof err);
    if (rc == PC_OK)
        pc_reply_json(rq, 200, out);
    else if (rc == PC_ERR_INVALID)
        fail(rq, 400, err);
    else
        fail(rq, 503, "The store is unavailable; retry later");
    json_decref(body);
}

static pc_status one(pc_req *rq, const json_t *body, json_t **out, char *err, size_t len)
{
    return pc_pdp_authzen_evaluation(rq->tenant->id, body, pc_now(), out, err, len);
}

static pc_status many(pc_req *rq, const json_t *body, json_t **out, char *err, size_t len)
{
    return pc_pdp_authzen_evaluations(rq->tenant->id, body, (size_t)pc_srv->cfg.authzen_max_batch,
                                      pc_now(), out, err, len);
}

void pc_http_authzen_evaluation(pc_req *rq)
{
    run(rq, one);
}

void pc_http_authzen_evaluations(pc_req *rq)
{
    run(rq, many);
}

/* AuthZEN 1.0 §10: the PDP's metadata; the PDP's identifier is the tenant's issuer. */
void pc_http_authzen_metadata(pc_req *rq)
{
    const char *iss = rq->tenant->issuer;
    char one_url[512], many_url[512];

    snprintf(one_url, sizeof one_url, "%s/access/v1/evaluation", iss);
    snprintf(many_url, sizeof many_url, "%s/access/v1/evaluations", iss);
    pc_reply_json(rq, 200,
                  json_pack("{s:s,s:s,s:s}", "policy_decision_point", iss,
                            "access_evaluation_endpoint", one_url, "access_evaluations_endpoint",
                            many_url));
}
