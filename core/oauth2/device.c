/* SPDX-License-Identifier: Apache-2.0 */
/* Device authorization (RFC 8628 §3.1-§3.5): issuing device and user codes, and the device's polling. */
#include "oauth2/device.h"
#include "oauth2/client_auth.h"
#include "oauth2/code.h"
#include "oauth2/grants.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define DEVICE_CODE_BYTES 32
/* RFC 8628 §6.1: consonants only, no vowels (no words), no look-alikes. */
static const char alphabet[] = "BCDFGHJKLMNPQRSTVWXZ";
#define ALPHABET_LEN 20
#define USER_CODE_LEN 8

int pc_device_user_code_normalise(const char *typed, char buf[9])
{
    size_t n = 0;

    if (typed == NULL || strlen(typed) > 32)
        return 0;
    for (const char *p = typed; *p; p++) {
        char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        if (c == '-' || c == ' ')
            continue;
        if (n == USER_CODE_LEN || strchr(alphabet, c) == NULL || c == '\0')
            return 0;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return n == USER_CODE_LEN;
}

/* 8 characters of the alphabet, uniformly: bytes >= 240 are drawn again. */
static void new_user_code(char buf[9])
{
    unsigned char r[32];
    size_t n = 0;

    while (n < USER_CODE_LEN) {
        /* A code from a failed generator would be guessable: better no code at all. */
        if (pc_random(r, sizeof r) != PC_OK)
            abort();
        for (size_t i = 0; i < sizeof r && n < USER_CODE_LEN; i++)
            if (r[i] < 240)
                buf[n++] = alphabet[r[i] % ALPHABET_LEN];
    }
    buf[n] = '\0';
}

/* Store a new device authorization; a user code that collides is drawn again. */
static pc_status store_new(const pc_oauth_request *rq, const pc_client *c, const char *scope,
                           const char *device_hash, char user_code[9])
{
    json_int_t now = pc_now();
    pc_status rc = PC_ERR_CONFLICT;

    for (int attempt = 0; attempt < 5 && rc == PC_ERR_CONFLICT; attempt++) {
        char *code_hash;
        json_t *rec;
        new_user_code(user_code);
        code_hash = pc_sha256_hex(user_code);
        rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:n,s:n,s:I,s:I}", "id", device_hash,
                        "tenant_id", rq->tenant->id, "client_id", c->client_id, "user_code",
                        code_hash, "scope", scope, "status", "pending", "poll_interval",
                        PC_DEVICE_INTERVAL, "last_poll_at", "user_id", "created_at", now,
                        "expires_at", now + PC_DEVICE_TTL);
        rc = pc_db_insert(NULL, PC_ENT_DEVICE_CODE, rec, NULL, 0);
        json_decref(rec);
        free(code_hash);
    }
    PC_DB->expire(PC_DBS, PC_ENT_DEVICE_CODE, "expires_at", now - PC_DEVICE_TTL);
    return rc;
}

static json_t *answer(const pc_tenant *t, const char *device_code, const char *user_code)
{
    char shown[10];

    /* RFC 8628 §6.1: shown in two groups of four, "WDJB-MJHT". */
    memcpy(shown, user_code, 4);
    shown[4] = '-';
    memcpy(shown + 5, user_code + 4, 5);
    return json_pack("{s:s,s:s,s:s+,s:s++,s:i,s:i}", "device_code", device_code, "user_code", shown,
                     "verification_uri", t->issuer, "/ui/device", "verification_uri_complete",
                     t->issuer, "/ui/device?user_code=", shown, "expires_in", PC_DEVICE_TTL,
                     "interval", PC_DEVICE_INTERVAL);
}

void pc_oauth2_device_authorization(const pc_oauth_request *rq, pc_oauth_reply *reply)
{
    pc_client client;
    char *scope = NULL, *device_code = NULL, *device_hash = NULL, user_code[9];
    pc_status rc;

    if (!pc_grants_loaded(PC_GRANT_DEVICE_CODE)) {
        pc_oauth_error(reply, 404, "invalid_request", "device authorization is not enabled");
        return;
    }
    /* RFC 8628 §3.1: the client authenticates as at the token endpoint; public ones by id. */
    if (pc_oauth2_client_authenticate(rq, 1, &client, reply) != PC_OK)
        return;
    if (!pc_client_has_grant(&client, PC_GRANT_DEVICE_CODE)) {
        pc_oauth_error(reply, 400, "unauthorized_client",
                       "this client may not use the device authorization grant");
        goto out;
    }
    scope = pc_scope_settle(json_object_get(client.app, "scopes"), pc_oauth_param(rq, "scope"));
    if (scope == NULL) {
        pc_oauth_error(reply, 400, "invalid_scope",
                       "a requested scope is not allowed for this client");
        goto out;
    }
    device_code = pc_random_token(DEVICE_CODE_BYTES);
    device_hash = pc_sha256_hex(device_code);
    rc = store_new(rq, &client, scope, device_hash, user_code);
    if (rc != PC_OK) {
        pc_error("cannot store a device authorization: tenant=%s status=%s", rq->tenant->slug,
                 pc_status_str(rc));
        pc_oauth_unavailable(reply);
        goto out;
    }
    reply->status = 200;
    reply->body = answer(rq->tenant, device_code, user_code);
out:
    pc_free_secret(device_code);
    free(device_hash);
    free(scope);
    pc_client_clear(&client);
}

/* RFC 8628 §3.5: slow_down when polled within the interval, which grows by 5 s. */
static pc_status pace(pc_grant_ctx *ctx, const json_t *rec)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    json_t *last = json_object_get(rec, "last_poll_at");
    json_int_t interval = json_integer_value(json_object_get(rec, "poll_interval"));
    json_int_t now = pc_now();
    int fast = json_is_integer(last) && now - json_integer_value(last) < interval;
    json_t *patch = json_pack("{s:I,s:I}", "last_poll_at", now, "poll_interval",
                              fast ? interval + 5 : interval);
    pc_status rc = pc_db_update(NULL, PC_ENT_DEVICE_CODE, ctx->rq->tenant->id, id, patch, NULL, 0);

    json_decref(patch);
    if (rc != PC_OK) {
        pc_grant_ctx_unavailable(ctx);
        return PC_ERR_STORAGE;
    }
    if (fast) {
        pc_grant_ctx_fail(ctx, 400, "slow_down", "polled faster than the interval");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

static pc_status pending_state(pc_grant_ctx *ctx, const json_t *rec)
{
    const char *status = json_string_value(json_object_get(rec, "status"));

    if (strcmp(status, "denied") == 0) {
        pc_grant_ctx_fail(ctx, 400, "access_denied", "the person denied the request");
        return PC_ERR_DENIED;
    }
    if (strcmp(status, "approved") != 0) {
        pc_grant_ctx_fail(ctx, 400, "authorization_pending", "the person has not decided yet");
        return PC_ERR_DENIED;
    }
    return PC_OK;
}

pc_status pc_device_poll(pc_grant_ctx *ctx, const char *device_code)
{
    json_t *rec = NULL;
    char *id;
    pc_status rc;

    if (device_code == NULL || *device_code == '\0' || strlen(device_code) > 512) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown device code");
        return PC_ERR_DENIED;
    }
    id = pc_sha256_hex(device_code);
    rc = pc_db_get(NULL, PC_ENT_DEVICE_CODE, ctx->rq->tenant->id, "id", id, &rec);
    if (rc == PC_ERR_STORAGE) {
        pc_grant_ctx_unavailable(ctx);
    } else if (rc != PC_OK || strcmp(json_string_value(json_object_get(rec, "client_id")),
                                     ctx->client->client_id) != 0) {
        pc_grant_ctx_fail(ctx, 400, "invalid_grant", "unknown device code");
        rc = PC_ERR_DENIED;
    } else if (json_integer_value(json_object_get(rec, "expires_at")) <= pc_now()) {
        pc_grant_ctx_fail(ctx, 400, "expired_token", "the device code has expired");
        rc = PC_ERR_DENIED;
    } else if ((rc = pace(ctx, rec)) == PC_OK && (rc = pending_state(ctx, rec)) == PC_OK) {
        /* Approved: the code record stored then is taken once (a replay revokes). */
        rc = pc_code_redeem_device(ctx, id);
    }
    json_decref(rec);
    free(id);
    return rc;
}
