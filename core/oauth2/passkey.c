/* SPDX-License-Identifier: Apache-2.0 */
/* Passkey sign-in ceremonies (issue #19): single-use challenges and the browser's request options. */
#include "oauth2/passkey.h"
#include "iam/mfa_call.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CHALLENGE_BYTES 32
#define MAX_CHALLENGE_LEN 64

const pc_scheme_ops *pc_passkey_scheme(const char *method, void **state)
{
    const pc_scheme_ops *ops = pc_mfa_scheme(method, state);

    if (ops == NULL || ops->base.struct_size <
                           offsetof(pc_scheme_ops, sign_in_options) + sizeof ops->sign_in_options)
        return NULL;
    return ops->sign_in_options != NULL ? ops : NULL;
}

/* The store key of a secret: its hash under a tag, apart from the consent nonces sharing the table. */
static char *secret_key(const char *tag, const char *secret)
{
    char *tagged = pc_asprintf("%s:%s", tag, secret), *hash = pc_sha256_hex(tagged);

    free(tagged);
    return hash;
}

char *pc_passkey_secret_issue(const pc_tenant *t, const char *tag, int64_t ttl)
{
    char *secret = pc_random_token(CHALLENGE_BYTES), *key;
    json_int_t now = pc_now();
    json_t *rec;
    pc_status rc;

    if (secret == NULL)
        return NULL;
    key = secret_key(tag, secret);
    rec = json_pack("{s:s,s:s,s:I,s:I}", "id", key, "tenant_id", t->id, "created_at", now,
                    "expires_at", now + ttl);
    rc = pc_db_insert(NULL, PC_ENT_CONSENT_NONCE, rec, NULL, 0);
    json_decref(rec);
    free(key);
    PC_DB->expire(PC_DBS, PC_ENT_CONSENT_NONCE, "expires_at", now);
    if (rc != PC_OK) {
        pc_error("cannot store a passkey secret: tenant=%s", t->slug);
        pc_free_secret(secret);
        return NULL;
    }
    return secret;
}

pc_status pc_passkey_secret_check(const pc_tenant *t, const char *tag, const char *secret, int take)
{
    json_t *rec = NULL;
    char *key;
    pc_status rc;

    if (secret == NULL || *secret == '\0' || strlen(secret) > MAX_CHALLENGE_LEN)
        return PC_ERR_NOT_FOUND;
    key = secret_key(tag, secret);
    rc = pc_db_get(NULL, PC_ENT_CONSENT_NONCE, t->id, "id", key, &rec);
    if (rc == PC_OK && json_integer_value(json_object_get(rec, "expires_at")) < pc_now())
        rc = PC_ERR_NOT_FOUND;
    /* One DELETE decides: of two uses of one challenge, only the first removes the row. */
    if (rc == PC_OK && take)
        rc = pc_db_remove(NULL, PC_ENT_CONSENT_NONCE, t->id, key);
    json_decref(rec);
    free(key);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
}

char *pc_passkey_challenge_issue(const pc_tenant *t, const char *binding)
{
    char *tag = pc_asprintf("passkey:%s", binding ? binding : ""),
         *challenge = pc_passkey_secret_issue(t, tag, PC_PASSKEY_TTL);

    free(tag);
    return challenge;
}

pc_status pc_passkey_challenge_take(const pc_tenant *t, const char *challenge, const char *binding)
{
    char *tag = pc_asprintf("passkey:%s", binding ? binding : "");
    pc_status rc = pc_passkey_secret_check(t, tag, challenge, 1);

    free(tag);
    return rc;
}

char *pc_passkey_options(const pc_tenant *t, const json_t *user, const json_t *factor,
                         const char *challenge)
{
    void *state = NULL;
    const pc_scheme_ops *ops = pc_passkey_scheme(PC_PASSKEY_METHOD, &state);
    json_t *empty = json_object(), *reply = NULL;
    pc_mfa_actor a = {.tenant = t,
                      .user = user ? user : empty,
                      .challenge = challenge,
                      .scheme_flags = factor == NULL ? PC_SCHEME_PASSWORDLESS : 0};
    pc_mfa_call c;
    char *text = NULL;

    if (ops != NULL && pc_mfa_call_open(&c, &a, ops, factor) == PC_OK) {
        if (ops->sign_in_options(state, &c.call, &c.factor, &reply) == PC_OK)
            text = json_dumps(json_object_get(reply, "publicKey"), JSON_COMPACT);
    }
    if (ops != NULL)
        pc_mfa_call_close(&c);
    json_decref(reply);
    json_decref(empty);
    return text;
}

char *pc_passkey_response_challenge(const char *response)
{
    json_t *cred = response ? json_loads(response, 0, NULL) : NULL, *cd = NULL;
    const char *b64 =
        json_string_value(json_object_get(json_object_get(cred, "response"), "clientDataJSON"));
    const char *challenge;
    uint8_t *text = NULL;
    size_t n = 0;
    char *out = NULL;

    if (b64 != NULL && strlen(b64) <= 8192 &&
        pc_b64url_decode(b64, strlen(b64), &text, &n) == PC_OK)
        cd = json_loadb((const char *)text, n, 0, NULL);
    challenge = json_string_value(json_object_get(cd, "challenge"));
    if (challenge != NULL && strlen(challenge) <= MAX_CHALLENGE_LEN)
        out = pc_strdup(challenge);
    free(text);
    json_decref(cd);
    json_decref(cred);
    return out;
}
