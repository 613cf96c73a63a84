/* SPDX-License-Identifier: Apache-2.0 */
/* An application's registered keys (jwks, or jwks_uri fetched and cached) and JWTs verified with them. */
#include "oauth2/client_keys.h"
#include "jose/jose.h"
#include "server/host.h"
#include "server/server.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Fetched key sets kept, and for how long. */
#define CACHE_SLOTS 64
#define CACHE_TTL 300
/* A set is fetched again for an unknown key at most this often: a stream of forged
 * assertions must not turn the server into a client of someone's jwks_uri. */
#define REFETCH_MIN 10
#define MAX_KEYS 32
#define FETCH_TIMEOUT_MS 5000

/* A slot whose fetch failed keeps jwks NULL for REFETCH_MIN (a negative cache); a slot with
 * `fetching` set has a fetch in flight, and no one else starts another for that uri. */
typedef struct cached_set {
    char *uri;
    json_t *jwks;
    int64_t fetched;
    int fetching;
} cached_set;

static cached_set cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int private_member(const json_t *jwk)
{
    /* RFC 7518 §6.2.2, §6.3.2, §6.4: private and symmetric key material */
    static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k", NULL};

    for (const char *const *m = priv; *m != NULL; m++)
        if (json_object_get(jwk, *m) != NULL)
            return 1;
    return 0;
}

/* Import `jwk` to verify `alg`; a JWK without "alg" takes the one the JWS names (RFC 7517 §4.4). */
static pc_jose_key *import_for(const json_t *jwk, pc_jose_alg alg)
{
    json_t *copy = json_deep_copy(jwk);
    pc_jose_key *k = NULL;

    if (copy == NULL || private_member(jwk))
        goto out;
    if (json_object_get(copy, "alg") == NULL && alg != PC_ALG_NONE_)
        json_object_set_new(copy, "alg", json_string(pc_jose_alg_str(alg)));
    if (pc_jose_key_import(copy, &k) == PC_OK && alg != PC_ALG_NONE_ && pc_jose_key_alg(k) != alg) {
        pc_jose_key_free(k);
        k = NULL;
    }
out:
    json_decref(copy);
    return k;
}

static int is_encryption_key(const json_t *jwk)
{
    const char *use = json_string_value(json_object_get(jwk, "use"));

    return use != NULL && strcmp(use, "enc") == 0;
}

const char *pc_oauth2_jwks_problem(const json_t *jwks)
{
    const json_t *keys = json_object_get(jwks, "keys");
    size_t i, signing = 0;
    json_t *jwk;

    if (!json_is_object(jwks) || !json_is_array(keys))
        return "must be a JWK Set: an object with a keys array";
    if (json_array_size(keys) > MAX_KEYS)
        return "must hold at most 32 keys";
    json_array_foreach (keys, i, jwk) {
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        pc_jose_key *k;
        if (!json_is_object(jwk) || kty == NULL)
            return "every key must be a JWK object with kty";
        if (private_member(jwk))
            return "must hold public keys only (no private or symmetric key material)";
        if (is_encryption_key(jwk))
            continue;
        k = import_for(jwk, strcmp(kty, "RSA") == 0 && json_object_get(jwk, "alg") == NULL
                                ? PC_ALG_RS256
                                : PC_ALG_NONE_);
        if (k == NULL)
            return "every signing key must be an RSA (2048 bits or more), P-256 or Ed25519 key "
                   "for RS256, PS256, ES256 or EdDSA";
        pc_jose_key_free(k);
        signing++;
    }
    return signing > 0 ? NULL : "must hold at least one signing key";
}

int pc_oauth2_client_has_keys(const json_t *app)
{
    return json_is_object(json_object_get(app, "jwks")) ||
           json_is_string(json_object_get(app, "jwks_uri"));
}

static json_t *fetch(const char *uri)
{
    static const char *const headers[] = {"Accept: application/jwk-set+json, application/json",
                                          NULL};
    pc_http_request rq = {
        .method = "GET", .url = uri, .headers = headers, .timeout_ms = FETCH_TIMEOUT_MS};
    pc_http_response resp = {0};
    json_t *j = NULL;

    if (pc_http_client_send(&rq, &resp) == PC_OK && resp.status == 200)
        j = json_loadb(resp.body ? resp.body : "", resp.body_len, JSON_REJECT_DUPLICATES, NULL);
    if (j == NULL || pc_oauth2_jwks_problem(j) != NULL) {
        pc_warn("jwks_uri fetch failed or gave no usable key set (status=%ld)", resp.status);
        json_decref(j);
        j = NULL;
    }
    free(resp.body);
    return j;
}

static cached_set *slot_of(const char *uri)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].uri != NULL && strcmp(cache[i].uri, uri) == 0)
            return &cache[i];
    return NULL;
}

/* The slot of `uri`, taken (the one fetched longest ago gives way) when it has none. */
static cached_set *slot_for(const char *uri)
{
    cached_set *s = slot_of(uri);

    for (size_t i = 0; s == NULL && i < CACHE_SLOTS; i++)
        if (cache[i].uri == NULL)
            s = &cache[i];
    if (s == NULL) { /* full: the set fetched longest ago gives way */
        s = &cache[0];
        for (size_t i = 1; i < CACHE_SLOTS; i++)
            if (cache[i].fetched < s->fetched)
                s = &cache[i];
    }
    if (s->uri == NULL || strcmp(s->uri, uri) != 0) {
        free(s->uri);
        json_decref(s->jwks);
        memset(s, 0, sizeof *s);
        s->uri = pc_strdup(uri);
    }
    return s;
}

/* Whether the slot answers without a fetch: fresh, failed lately, or being fetched by another. */
static int slot_answers(const cached_set *s, int64_t now, int force)
{
    int64_t age = now - s->fetched;

    if (s->fetching)
        return 1; /* one fetch in flight per uri: the others fail fast with what is cached */
    if (s->jwks == NULL)
        return age < REFETCH_MIN;
    return age < (force ? REFETCH_MIN : CACHE_TTL);
}

/*
 * The set at `uri`: cached, or fetched when absent, old, or (`force`) not fetched lately.
 * A failed fetch is remembered too, so that a jwks_uri that never answers is asked at most
 * once per REFETCH_MIN however many assertions name it. New, or NULL.
 */
static json_t *uri_keys(const char *uri, int force)
{
    int64_t now = pc_now();
    cached_set *s;
    json_t *cached, *fresh;

    pthread_mutex_lock(&cache_lock);
    s = slot_for(uri);
    cached = json_incref(s->jwks);
    if (slot_answers(s, now, force)) {
        pthread_mutex_unlock(&cache_lock);
        return cached;
    }
    s->fetching = 1;
    s->fetched = now; /* a slot being fetched is not the first to give way */
    pthread_mutex_unlock(&cache_lock);
    fresh = fetch(uri); /* outside the lock: a slow jwks_uri holds up no one else */
    pthread_mutex_lock(&cache_lock);
    s = slot_for(uri); /* the slot may have been given to another uri meanwhile */
    if (fresh != NULL) {
        json_decref(s->jwks);
        s->jwks = json_incref(fresh);
    }
    s->fetched = now;
    s->fetching = 0;
    pthread_mutex_unlock(&cache_lock);
    if (fresh == NULL)
        return cached;
    json_decref(cached);
    return fresh;
}

void pc_oauth2_client_keys_reset(void)
{
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free(cache[i].uri);
        json_decref(cache[i].jwks);
        memset(&cache[i], 0, sizeof cache[i]);
    }
    pthread_mutex_unlock(&cache_lock);
}

/* Try each key of `jwks` the header may name; PC_OK with the claims of the first that verifies. */
static pc_status try_set(const json_t *jwks, const json_t *hdr, const char *jwt, json_t **header,
                         json_t **claims)
{
    pc_jose_alg alg = pc_jose_alg_from_str(json_string_value(json_object_get(hdr, "alg")));
    const char *kid = json_string_value(json_object_get(hdr, "kid"));
    pc_status rc = PC_ERR_DENIED;
    size_t i;
    json_t *jwk;

    if (alg == PC_ALG_NONE_)
        return PC_ERR_DENIED; /* "none" and HMAC never verify with a public key (RFC 8725 §3.1) */
    json_array_foreach (json_object_get(jwks, "keys"), i, jwk) {
        const char *jkid = json_string_value(json_object_get(jwk, "kid"));
        pc_jose_key *k;
        if (i >= MAX_KEYS || rc == PC_OK)
            break;
        if ((kid != NULL && (jkid == NULL || strcmp(kid, jkid) != 0)) || is_encryption_key(jwk))
            continue;
        k = import_for(jwk, alg);
        if (k == NULL)
            continue;
        rc = pc_jose_verify((const pc_jose_key *const *)&k, 1, jwt, header, claims);
        if (rc == PC_ERR_INVALID)
            rc = PC_ERR_DENIED;
        pc_jose_key_free(k);
    }
    return rc;
}

pc_status pc_oauth2_client_jwt_verify(const json_t *app, const char *jwt, json_t **header,
                                      json_t **claims)
{
    const char *uri = json_string_value(json_object_get(app, "jwks_uri"));
    json_t *hdr = NULL, *jwks = NULL;
    pc_status rc;

    *claims = NULL;
    if (header != NULL)
        *header = NULL;
    if (pc_jose_peek(jwt, &hdr, NULL) != PC_OK)
        return PC_ERR_INVALID;
    if (json_is_object(json_object_get(app, "jwks")))
        jwks = json_incref(json_object_get(app, "jwks"));
    else if (uri != NULL)
        jwks = uri_keys(uri, 0);
    rc = jwks != NULL ? try_set(jwks, hdr, jwt, header, claims) : PC_ERR_DENIED;
    /* a set fetched (or failed) just now is not asked again for the same assertion */
    if (rc != PC_OK && jwks != NULL && uri != NULL &&
        !json_is_object(json_object_get(app, "jwks"))) {
        /* the client may have rotated its keys since we fetched them */
        json_decref(jwks);
        jwks = uri_keys(uri, 1);
        rc = jwks != NULL ? try_set(jwks, hdr, jwt, header, claims) : PC_ERR_DENIED;
    }
    json_decref(jwks);
    json_decref(hdr);
    return rc;
}
