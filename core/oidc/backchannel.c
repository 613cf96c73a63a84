/* SPDX-License-Identifier: Apache-2.0 */
/* Back-channel logout (OIDC Back-Channel Logout 1.0): the session's applications, queued logouts, the logout token. */
#include "oidc/backchannel.h"
#include "iam/app_cache.h"
#include "jose/keyring.h"
#include "server/server.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"
#include "webhooks/webhooks.h"

#include <stdlib.h>
#include <string.h>

/* §2.4: a logout token is short-lived; the RP only needs to read it on arrival. */
#define LOGOUT_TOKEN_TTL 120

static char *note_id(const char *sid, const char *client_id)
{
    char *both = pc_asprintf("%s|%s", sid, client_id), *id = pc_sha256_hex(both);

    free(both);
    return id;
}

void pc_backchannel_note(const pc_tenant *t, const json_t *app, const char *sid,
                         const char *user_id)
{
    const char *client_id = json_string_value(json_object_get(app, "client_id"));
    char *id;
    json_int_t now = pc_now();
    json_t *rec;
    pc_status rc;

    if (sid == NULL || client_id == NULL ||
        !json_is_string(json_object_get(app, "backchannel_logout_uri")))
        return;
    id = note_id(sid, client_id);
    rec = json_pack("{s:s,s:s,s:s,s:s,s:s?,s:I,s:I}", "id", id, "tenant_id", t->id, "sid", sid,
                    "client_id", client_id, "user_id", user_id, "created_at", now, "expires_at",
                    now + t->session_ttl + t->refresh_ttl);
    rc = pc_db_insert(NULL, PC_ENT_SESSION_CLIENT, rec, NULL, 0);
    if (rc != PC_OK && rc != PC_ERR_CONFLICT)
        pc_warn("back-channel logout: cannot record the session's client: %s", pc_status_str(rc));
    json_decref(rec);
    free(id);
}

/* One message for one application that holds tokens of the session. */
static pc_status queue_one(pc_store_tx *tx, const pc_tenant *t, const json_t *note)
{
    const char *client_id = json_string_value(json_object_get(note, "client_id"));
    json_t *app = NULL, *msg;
    char id[37];
    pc_status rc = pc_app_cache_get(t->id, client_id, &app);

    if (rc == PC_ERR_NOT_FOUND ||
        (rc == PC_OK && !json_is_string(json_object_get(app, "backchannel_logout_uri")))) {
        json_decref(app);
        return PC_OK; /* deleted, or no longer listening */
    }
    if (rc != PC_OK)
        return rc;
    pc_uuid7(id);
    msg = json_pack(
        "{s:s,s:s,s:s,s:O,s:O,s:O,s:s,s:i,s:I,s:n,s:n,s:n,s:I,s:n}", "id", id, "tenant_id", t->id,
        "client_id", client_id, "url", json_object_get(app, "backchannel_logout_uri"), "sid",
        json_object_get(note, "sid"), "sub", json_object_get(note, "user_id"), "status", "pending",
        "attempts", 0, "next_attempt_ms", (json_int_t)pc_webhooks_now_ms(), "locked_until_ms",
        "locked_by", "error", "created_at", (json_int_t)pc_now(), "done_at");
    rc = pc_db_insert(tx, PC_ENT_LOGOUT_MESSAGE, msg, NULL, 0);
    json_decref(msg);
    json_decref(app);
    return rc;
}

pc_status pc_backchannel_session_ended(pc_store_tx *tx, const pc_tenant *t, const char *sid)
{
    json_t *filters = json_pack("{s:s}", "sid", sid), *rows = NULL, *note;
    pc_store_query q = {.filters = filters, .limit = 200};
    pc_status rc = pc_db_list(tx, PC_ENT_SESSION_CLIENT, t->id, &q, &rows);
    size_t i;

    json_array_foreach (rows, i, note)
        if (rc == PC_OK)
            rc = queue_one(tx, t, note);
    if (rc == PC_OK && json_array_size(rows) > 0)
        pc_backchannel_kick();
    json_decref(rows);
    json_decref(filters);
    return rc;
}

char *pc_backchannel_logout_token(const pc_tenant *t, const json_t *msg)
{
    const pc_jose_key *key = pc_keyring_signer(t->keys, t->id_alg, pc_now());
    json_int_t now = pc_now();
    char jti[37], *jwt = NULL;
    json_t *claims;

    if (key == NULL)
        return NULL;
    pc_uuid7(jti);
    /* §2.4: iss, aud, iat, exp, jti, events, and sid (sub too when known); never a nonce */
    claims = json_pack("{s:s,s:O,s:I,s:I,s:s,s:{s:{}},s:O}", "iss", t->issuer, "aud",
                       json_object_get(msg, "client_id"), "iat", now, "exp", now + LOGOUT_TOKEN_TTL,
                       "jti", jti, "events", PC_BCL_EVENT, "sid", json_object_get(msg, "sid"));
    if (json_is_string(json_object_get(msg, "sub")))
        json_object_set(claims, "sub", json_object_get(msg, "sub"));
    /* §2.4: typ logout+jwt keeps it from being taken for an ID token */
    pc_jose_sign(key, "logout+jwt", claims, &jwt);
    json_decref(claims);
    return jwt;
}
