/* SPDX-License-Identifier: Apache-2.0 */
/* Client authentication (RFC 6749 §2.3): secrets checked in constant time, failures throttled. */
#include "oauth2/client_auth.h"
#include "oauth2/changes.h"
#include "oauth2/client_assertion.h"
#include "oauth2/throttle.h"
#include "iam/app_cache.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_PREFIX "hmac-sha256:"

char *pc_client_secret_hash(const char *secret)
{
    uint8_t mac[32];
    char *out = pc_malloc(sizeof HASH_PREFIX + 64);

    gnutls_hmac_fast(GNUTLS_MAC_SHA256, pc_srv->secret_pepper, sizeof pc_srv->secret_pepper, secret,
                     strlen(secret), mac);
    memcpy(out, HASH_PREFIX, sizeof HASH_PREFIX - 1);
    for (int i = 0; i < 32; i++)
        snprintf(out + sizeof HASH_PREFIX - 1 + 2 * i, 3, "%02x", mac[i]);
    return out;
}

int pc_client_secret_matches(const char *stored_hash, const char *secret)
{
    char *h;
    int ok;

    if (stored_hash == NULL || secret == NULL)
        return 0;
    h = pc_client_secret_hash(secret);
    ok = pc_ct_streq(h, stored_hash);
    free(h);
    return ok;
}

void pc_client_clear(pc_client *c)
{
    json_decref(c->app);
    memset(c, 0, sizeof *c);
}

int pc_client_has_grant(const pc_client *c, const char *grant)
{
    size_t i;
    json_t *g;

    json_array_foreach (json_object_get(c->app, "grant_types"), i, g)
        if (json_is_string(g) && strcmp(json_string_value(g), grant) == 0)
            return 1;
    return 0;
}

static void refuse(pc_oauth_reply *reply, const char *why)
{
    pc_oauth_error(reply, 401, "invalid_client", why ? why : "client authentication failed");
    reply->www_authenticate = "Basic realm=\"portcullis\"";
}

/*
 * Failures count per client and address, and per address. A client's
 * counter is never keyed on its client_id alone: client ids are public, and
 * anyone could otherwise lock a client out.
 */
static void keys_of(const pc_oauth_request *rq, const char *client_id, char *client_key,
                    size_t client_len, char *addr_key, size_t addr_len)
{
    snprintf(client_key, client_len, "client:%s:%s:%s", rq->tenant->id, client_id ? client_id : "",
             rq->ip);
    snprintf(addr_key, addr_len, "addr:%s", rq->ip);
}

static pc_status fail_why(const pc_oauth_request *rq, const char *client_id, const char *why,
                          pc_oauth_reply *reply)
{
    char client_key[300], addr_key[100];

    keys_of(rq, client_id, client_key, sizeof client_key, addr_key, sizeof addr_key);
    pc_throttle_fail(client_key, pc_srv->cfg.limit_account);
    pc_throttle_fail(addr_key, pc_srv->cfg.limit_address);
    refuse(reply, why);
    return PC_ERR_DENIED;
}

static pc_status fail(const pc_oauth_request *rq, const char *client_id, pc_oauth_reply *reply)
{
    return fail_why(rq, client_id, NULL, reply);
}

/* Refuse a request from an address (or a client at an address) that failed too often. */
static pc_status throttled(const pc_oauth_request *rq, const char *client_id, pc_oauth_reply *reply)
{
    char client_key[300], addr_key[100];
    int64_t retry = 0;

    keys_of(rq, client_id, client_key, sizeof client_key, addr_key, sizeof addr_key);
    if (pc_throttle_check(addr_key, pc_srv->cfg.limit_address, &retry) == PC_OK &&
        pc_throttle_check(client_key, pc_srv->cfg.limit_account, &retry) == PC_OK)
        return PC_OK;
    pc_oauth_error(reply, 429, "temporarily_unavailable", "too many failed attempts; retry later");
    reply->retry_after = retry > 0 ? retry : 1;
    return PC_ERR_LIMIT;
}

static int method_is(const pc_client *c, const char *method)
{
    const char *m = json_string_value(json_object_get(c->app, "token_endpoint_auth_method"));

    return m != NULL && strcmp(m, method) == 0;
}

/* RFC 7523 §3 (issue #18): the client proves itself with a JWT signed by its own key. */
static pc_status check_assertion(const pc_oauth_request *rq, pc_client *c, const char *assertion,
                                 pc_oauth_reply *reply)
{
    char *url = pc_asprintf("%s%s", rq->tenant->issuer, rq->endpoint ? rq->endpoint : "");
    const char *why = "this client does not authenticate with a client assertion";
    pc_status rc = PC_ERR_DENIED;

    /* Verifying may fetch the client's jwks_uri: an address that keeps failing is refused
     * before it can make the server a client of someone's slow key server again. */
    if (throttled(rq, c->client_id, reply) != PC_OK) {
        free(url);
        return PC_ERR_LIMIT;
    }
    if (method_is(c, "private_key_jwt") || method_is(c, "client_secret_jwt"))
        rc = pc_oauth2_assertion_verify(rq->tenant, c->app, assertion, url, &why);
    free(url);
    if (rc == PC_OK || rc == PC_ERR_STORAGE) {
        if (rc == PC_ERR_STORAGE)
            pc_oauth_unavailable(reply);
        return rc;
    }
    return fail_why(rq, c->client_id, why, reply);
}

static pc_status check_secret(const pc_oauth_request *rq, pc_client *c, const char *secret,
                              int allow_public, pc_oauth_reply *reply)
{
    const char *type = json_string_value(json_object_get(c->app, "type"));

    c->is_public = type != NULL && strcmp(type, "public") == 0;
    if (c->is_public && secret == NULL && allow_public)
        return PC_OK;
    if (c->is_public) {
        refuse(reply, NULL); /* a secret sent to a public client guesses nothing */
        return PC_ERR_DENIED;
    }
    /* RFC 7591 §2: a client registered for a JWT method authenticates with nothing else */
    if (method_is(c, "private_key_jwt") || method_is(c, "client_secret_jwt")) {
        refuse(reply, "this client authenticates with a client assertion (RFC 7523)");
        return PC_ERR_DENIED;
    }
    /* The right secret is never throttled: failures elsewhere cannot lock a client out. */
    if (secret != NULL &&
        pc_client_secret_matches(json_string_value(json_object_get(c->app, "secret_hash")), secret))
        return PC_OK;
    if (throttled(rq, c->client_id, reply) != PC_OK)
        return PC_ERR_LIMIT;
    return fail(rq, c->client_id, reply);
}

/*
 * Which credentials the request carries: client_id and secret (basic or post),
 * or a client assertion (RFC 7521 §4.2). Replies 400 when it mixes methods.
 */
static pc_status credentials_of(const pc_oauth_request *rq, const char **client_id,
                                const char **secret, const char **assertion, char **asserted,
                                pc_oauth_reply *reply)
{
    const char *form_secret = pc_oauth_param(rq, "client_secret");
    const char *type = pc_oauth_param(rq, "client_assertion_type");

    *assertion = pc_oauth_param(rq, "client_assertion");
    *client_id = rq->basic_user ? rq->basic_user : pc_oauth_param(rq, "client_id");
    *secret = rq->basic_user ? rq->basic_password : form_secret;
    /* RFC 6749 §2.3: one authentication method per request. */
    if ((rq->basic_user != NULL && form_secret != NULL) ||
        ((*assertion != NULL || type != NULL) && (rq->basic_user != NULL || form_secret != NULL))) {
        pc_oauth_error(reply, 400, "invalid_request", "use one client authentication method");
        return PC_ERR_INVALID;
    }
    if (*assertion == NULL && type == NULL)
        return PC_OK;
    if (*assertion == NULL || type == NULL || strcmp(type, PC_CLIENT_ASSERTION_JWT) != 0) {
        pc_oauth_error(reply, 400, "invalid_request",
                       "client_assertion_type must be " PC_CLIENT_ASSERTION_JWT
                       " and come with client_assertion");
        return PC_ERR_INVALID;
    }
    /* RFC 7521 §4.2: client_id may be left out; the assertion names the client */
    *asserted = pc_oauth2_assertion_client_id(*assertion);
    if (*client_id == NULL)
        *client_id = *asserted;
    return PC_OK;
}

pc_status pc_oauth2_client_authenticate(const pc_oauth_request *rq, int allow_public,
                                        pc_client *out, pc_oauth_reply *reply)
{
    const char *client_id, *secret, *assertion;
    char *asserted = NULL;
    pc_status rc;

    memset(out, 0, sizeof *out);
    rc = credentials_of(rq, &client_id, &secret, &assertion, &asserted, reply);
    if (rc != PC_OK)
        goto out;
    if (client_id == NULL || *client_id == '\0') {
        rc = throttled(rq, NULL, reply) == PC_OK ? fail(rq, NULL, reply) : PC_ERR_LIMIT;
        goto out;
    }
    /* A cached application is as current as the change feed that drops it: while the
     * feed cannot be read, a client deleted or given a new secret could still pass. */
    rc = pc_changes_fresh() ? pc_app_cache_get(rq->tenant->id, client_id, &out->app)
                            : PC_ERR_STORAGE;
    if (rc != PC_OK) {
        pc_client_clear(out);
        /* A store that cannot answer decides nothing about the client: nothing is counted. */
        if (rc == PC_ERR_STORAGE)
            pc_oauth_unavailable(reply);
        else
            rc = throttled(rq, client_id, reply) == PC_OK ? fail(rq, client_id, reply)
                                                          : PC_ERR_LIMIT;
        goto out;
    }
    out->id = json_string_value(json_object_get(out->app, "id"));
    out->client_id = json_string_value(json_object_get(out->app, "client_id"));
    rc = assertion != NULL ? check_assertion(rq, out, assertion, reply)
                           : check_secret(rq, out, secret, allow_public, reply);
    if (rc != PC_OK)
        pc_client_clear(out);
out:
    free(asserted);
    return rc;
}

void pc_oauth_error(pc_oauth_reply *r, unsigned status, const char *error, const char *description)
{
    json_decref(r->body);
    r->status = status;
    r->body = json_pack("{s:s}", "error", error);
    if (description != NULL)
        json_object_set_new(r->body, "error_description", json_string(description));
}

void pc_oauth_unavailable(pc_oauth_reply *r)
{
    pc_oauth_error(r, 503, "temporarily_unavailable",
                   "the service is temporarily unavailable; retry later");
    r->retry_after = PC_STORE_RETRY_AFTER;
    r->www_authenticate = NULL;
}
