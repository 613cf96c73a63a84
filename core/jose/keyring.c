/* SPDX-License-Identifier: Apache-2.0 */
/* A tenant's signing keys: stored sealed, imported once, chosen by alg and time. */
#include "jose/keyring.h"
#include "oauth2/changes.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>

#define MAX_KEYS 64

const pc_jose_alg pc_keyring_algs[4] = {PC_ALG_ES256, PC_ALG_RS256, PC_ALG_PS256, PC_ALG_EDDSA};

typedef struct entry {
    pc_jose_key *key;
    int64_t activates_at;
    int64_t retires_at; /* 0: not scheduled */
} entry;

struct pc_keyring {
    entry e[MAX_KEYS];
    const pc_jose_key *keys[MAX_KEYS];
    size_t n;
    char *jwks;
};

size_t pc_keyring_footprint(const pc_keyring *r)
{
    return r == NULL ? 0 : sizeof *r + r->n * 6144 + (r->jwks ? strlen(r->jwks) + 1 : 0);
}

static int64_t int_or(const json_t *rec, const char *k, int64_t def)
{
    const json_t *v = json_object_get(rec, k);

    return json_is_integer(v) ? json_integer_value(v) : def;
}

static pc_status import_one(pc_keyring *r, const json_t *rec, const uint8_t *master_key,
                            json_t *jwks_keys)
{
    const char *kid = json_string_value(json_object_get(rec, "id"));
    uint8_t *plain = NULL;
    size_t len;
    json_t *jwk = NULL;
    pc_status rc;

    rc = pc_unseal(master_key, kid, json_string_value(json_object_get(rec, "private_enc")), &plain,
                   &len);
    if (rc != PC_OK) {
        pc_error("cannot unseal signing key %s: wrong master key?", kid);
        return rc;
    }
    jwk = json_loadb((const char *)plain, len, 0, NULL);
    gnutls_memset(plain, 0, len);
    free(plain);
    rc = jwk ? pc_jose_key_import(jwk, &r->e[r->n].key) : PC_ERR_CRYPTO;
    json_decref(jwk);
    if (rc != PC_OK)
        return rc;
    r->e[r->n].activates_at = int_or(rec, "activates_at", 0);
    r->e[r->n].retires_at = int_or(rec, "retires_at", 0);
    r->keys[r->n] = r->e[r->n].key;
    r->n++;
    json_array_append(jwks_keys, json_object_get(rec, "public_jwk"));
    return PC_OK;
}

static void render_jwks(pc_keyring *r, json_t *public_keys)
{
    json_t *doc = json_pack("{s:o}", "keys", public_keys);

    r->jwks = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
}

/* The public members of a private JWK: everything but the private parameters. */
static json_t *public_part(const json_t *jwk)
{
    static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", NULL};
    json_t *pub = json_deep_copy(jwk);

    for (size_t i = 0; private_members[i]; i++)
        json_object_del(pub, private_members[i]);
    return pub;
}

pc_status pc_keyring_load(const char *tenant_id, const uint8_t *master_key, int64_t now,
                          pc_keyring **out)
{
    pc_store_query q = {.filters = NULL, .after = NULL, .limit = MAX_KEYS, .descending = 0};
    json_t *recs = NULL, *jwks_keys = json_array(), *rec;
    pc_keyring *r = pc_calloc(1, sizeof *r);
    size_t i;
    pc_status rc = pc_db_list(NULL, PC_ENT_KEY, tenant_id, &q, &recs);

    json_array_foreach (recs, i, rec) {
        if (rc != PC_OK)
            break;
        if (int_or(rec, "expires_at", INT64_MAX) <= now)
            continue; /* no token it signed is still alive */
        rc = import_one(r, rec, master_key, jwks_keys);
    }
    if (rc == PC_OK) {
        render_jwks(r, jwks_keys);
        *out = r;
    } else {
        json_decref(jwks_keys);
        pc_keyring_free(r);
    }
    json_decref(recs);
    return rc;
}

pc_status pc_keyring_from_jwks(const json_t *private_jwks, pc_keyring **out)
{
    pc_keyring *r = pc_calloc(1, sizeof *r);
    json_t *pubs = json_array(), *jwk;
    size_t i;
    pc_status rc = PC_OK;

    json_array_foreach (json_object_get(private_jwks, "keys"), i, jwk) {
        if (r->n >= MAX_KEYS || (rc = pc_jose_key_import(jwk, &r->e[r->n].key)) != PC_OK)
            break;
        r->keys[r->n] = r->e[r->n].key;
        r->n++;
        json_array_append_new(pubs, public_part(jwk));
    }
    if (rc != PC_OK) {
        json_decref(pubs);
        pc_keyring_free(r);
        return rc;
    }
    render_jwks(r, pubs);
    *out = r;
    return PC_OK;
}

void pc_keyring_free(pc_keyring *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        pc_jose_key_free(r->e[i].key);
    free(r->jwks);
    free(r);
}

const pc_jose_key *pc_keyring_signer(const pc_keyring *r, pc_jose_alg alg, int64_t now)
{
    const entry *best = NULL;

    for (size_t i = 0; i < r->n; i++) {
        const entry *e = &r->e[i];
        if (pc_jose_key_alg(e->key) != alg || e->activates_at > now)
            continue;
        if (e->retires_at != 0 && e->retires_at <= now)
            continue;
        if (best == NULL || e->activates_at > best->activates_at)
            best = e;
    }
    return best ? best->key : NULL;
}

const pc_jose_key *const *pc_keyring_keys(const pc_keyring *r, size_t *n)
{
    *n = r->n;
    return r->keys;
}

const char *pc_keyring_jwks(const pc_keyring *r)
{
    return r->jwks;
}

/* "es256-" followed by 12 random base64url characters. */
static void make_kid(pc_jose_alg alg, char *kid, size_t len)
{
    char prefix[8];
    char *rnd = pc_random_token(9);
    size_t i;

    snprintf(prefix, sizeof prefix, "%s", pc_jose_alg_str(alg));
    for (i = 0; prefix[i]; i++)
        prefix[i] = (char)tolower((unsigned char)prefix[i]);
    snprintf(kid, len, "%s-%s", prefix, rnd);
    free(rnd);
}

static pc_status generate_one(pc_store_tx *tx, const char *tenant_id, const uint8_t *master_key,
                              pc_jose_alg alg, int64_t now, int64_t activates_at)
{
    char kid[40], *priv_text = NULL, *sealed = NULL;
    json_t *priv = NULL, *pub = NULL, *rec = NULL;
    pc_status rc;

    make_kid(alg, kid, sizeof kid);
    rc = pc_jose_key_generate(alg, kid, &priv, &pub);
    if (rc != PC_OK)
        goto out;
    priv_text = json_dumps(priv, JSON_COMPACT);
    rc = pc_seal(master_key, kid, priv_text, strlen(priv_text), &sealed);
    if (rc != PC_OK)
        goto out;
    rec = json_pack("{s:s,s:s,s:s,s:O,s:s,s:I,s:I,s:n,s:n}", "id", kid, "tenant_id", tenant_id,
                    "alg", pc_jose_alg_str(alg), "public_jwk", pub, "private_enc", sealed,
                    "created_at", (json_int_t)now, "activates_at", (json_int_t)activates_at,
                    "retires_at", "expires_at");
    rc = pc_db_insert(tx, PC_ENT_KEY, rec, NULL, 0);
out:
    pc_free_secret(priv_text);
    free(sealed);
    json_decref(priv);
    json_decref(pub);
    json_decref(rec);
    return rc;
}

pc_status pc_keyring_generate(pc_store_tx *tx, const char *tenant_id, const uint8_t *master_key,
                              int64_t now, int64_t activates_at)
{
    pc_status rc = PC_OK;

    for (size_t i = 0; rc == PC_OK && i < 4; i++)
        rc = generate_one(tx, tenant_id, master_key, pc_keyring_algs[i], now, activates_at);
    return rc;
}

static pc_status retire_current(pc_store_tx *tx, const char *tenant_id, int64_t retire_at,
                                int64_t expire_at)
{
    pc_store_query q = {.limit = MAX_KEYS};
    json_t *recs = NULL, *rec, *patch;
    size_t i;
    pc_status rc = pc_db_list(tx, PC_ENT_KEY, tenant_id, &q, &recs);

    json_array_foreach (recs, i, rec) {
        if (rc != PC_OK || !json_is_null(json_object_get(rec, "retires_at")))
            continue;
        patch = json_pack("{s:I,s:I}", "retires_at", (json_int_t)retire_at, "expires_at",
                          (json_int_t)expire_at);
        rc = pc_db_update(tx, PC_ENT_KEY, tenant_id, json_string_value(json_object_get(rec, "id")),
                          patch, NULL, 0);
        json_decref(patch);
    }
    json_decref(recs);
    return rc;
}

pc_status pc_keyring_rotate(pc_store_tx *tx, const char *tenant_id, const uint8_t *master_key,
                            int64_t now, int64_t delay, int64_t max_token_ttl)
{
    pc_status rc = retire_current(tx, tenant_id, now + delay, now + delay + max_token_ttl);

    if (rc == PC_OK)
        rc = pc_keyring_generate(tx, tenant_id, master_key, now, now + delay);
    if (rc == PC_OK)
        rc = pc_change_write(tx, tenant_id, "keys", tenant_id, now + 86400);
    return rc;
}
