/* SPDX-License-Identifier: Apache-2.0 */
/* DPoP proofs (RFC 9449 §4.3): the key in the header, the request they were made for, once. */
#include "oauth2/dpop.h"
#include "jose/jose.h"
#include "oauth2/jti.h"
#include "server/server.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JTI 256
#define NONCE_PERIOD 300

static int str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && s != NULL && strcmp(json_string_value(v), s) == 0;
}

static int has_private_part(const json_t *jwk)
{
    static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k", NULL};

    for (const char *const *m = priv; *m != NULL; m++)
        if (json_object_get(jwk, *m) != NULL)
            return 1;
    return 0;
}

/* RFC 9449 §4.2: the public key the proof is signed with travels in its header. */
static pc_jose_key *header_key(const json_t *hdr)
{
    const json_t *jwk = json_object_get(hdr, "jwk");
    pc_jose_alg alg = pc_jose_alg_from_str(json_string_value(json_object_get(hdr, "alg")));
    json_t *copy;
    pc_jose_key *k = NULL;

    if (!json_is_object(jwk) || has_private_part(jwk) || alg == PC_ALG_NONE_)
        return NULL;
    copy = json_deep_copy(jwk);
    json_object_set_new(copy, "alg", json_string(pc_jose_alg_str(alg)));
    json_object_del(copy, "use");
    /* the key is the one in the header, whatever kid either names */
    json_object_del(copy, "kid");
    if (json_is_string(json_object_get(hdr, "kid")))
        json_object_set(copy, "kid", json_object_get(hdr, "kid"));
    if (pc_jose_key_import(copy, &k) != PC_OK)
        k = NULL;
    json_decref(copy);
    return k;
}

/* RFC 9449 §4.3 item 9: htu compared without query and fragment. */
static int htu_matches(const json_t *claim, const char *htu)
{
    const char *c = json_string_value(claim);
    size_t n;

    if (c == NULL || htu == NULL)
        return 0;
    n = strcspn(c, "?#");
    return strlen(htu) == n && strncmp(c, htu, n) == 0;
}

/* RFC 9449 §4.2: ath is base64url(SHA-256(access token)). */
static int ath_matches(const json_t *claim, const char *token)
{
    uint8_t d[32];
    char *want;
    int ok;

    if (token == NULL)
        return 1;
    if (!json_is_string(claim))
        return 0;
    pc_sha256(token, strlen(token), d);
    want = pc_b64url_encode(d, sizeof d);
    ok = pc_ct_streq(want, json_string_value(claim));
    free(want);
    return ok;
}

static const char *claims_problem(const json_t *c, const char *htm, const char *htu,
                                  const char *token, int64_t now)
{
    const json_t *jti = json_object_get(c, "jti"), *iat = json_object_get(c, "iat");

    if (!json_is_string(jti) || json_string_length(jti) == 0 || json_string_length(jti) > MAX_JTI)
        return "the DPoP proof must carry a jti";
    if (!str_is(json_object_get(c, "htm"), htm))
        return "the DPoP proof's htm is not the request's method";
    if (!htu_matches(json_object_get(c, "htu"), htu))
        return "the DPoP proof's htu is not the request's URL";
    if (!json_is_number(iat) || json_number_value(iat) < (double)(now - PC_DPOP_MAX_AGE) ||
        json_number_value(iat) > (double)(now + PC_DPOP_MAX_AHEAD))
        return "the DPoP proof's iat is missing or out of the accepted window";
    if (!ath_matches(json_object_get(c, "ath"), token))
        return "the DPoP proof's ath does not match the access token";
    return NULL;
}

static const char *header_problem(const json_t *hdr)
{
    /* RFC 9449 §4.3 items 4-6 */
    if (!str_is(json_object_get(hdr, "typ"), "dpop+jwt"))
        return "the DPoP proof's typ must be dpop+jwt";
    if (pc_jose_alg_from_str(json_string_value(json_object_get(hdr, "alg"))) == PC_ALG_NONE_)
        return "the DPoP proof's alg must be RS256, PS256, ES256 or EdDSA";
    return NULL;
}

pc_status pc_oauth2_dpop_check(const char *proof, const char *htm, const char *htu,
                               const char *token, int64_t now, json_t **claims, char **jkt,
                               const char **why)
{
    json_t *hdr = NULL;
    pc_jose_key *k = NULL;
    pc_status rc = PC_ERR_DENIED;

    *claims = NULL;
    *jkt = NULL;
    *why = "the DPoP proof is not one well-formed JWT"; /* two headers arrive joined by a comma */
    if (proof == NULL || strchr(proof, ',') != NULL || pc_jose_peek(proof, &hdr, NULL) != PC_OK)
        return PC_ERR_DENIED;
    if ((*why = header_problem(hdr)) != NULL)
        goto out;
    *why = "the DPoP proof's jwk is not a usable public key, or the signature does not verify";
    k = header_key(hdr);
    if (k == NULL ||
        pc_jose_verify((const pc_jose_key *const *)&k, 1, proof, NULL, claims) != PC_OK)
        goto out;
    if ((*why = claims_problem(*claims, htm, htu, token, now)) != NULL)
        goto out;
    *jkt = pc_jose_jwk_thumbprint(json_object_get(hdr, "jwk"));
    rc = *jkt != NULL ? PC_OK : PC_ERR_DENIED;
out:
    if (rc != PC_OK) {
        json_decref(*claims);
        *claims = NULL;
    }
    pc_jose_key_free(k);
    json_decref(hdr);
    return rc;
}

/* A nonce is an HMAC of the tenant and a five-minute period under the server pepper. */
static char *nonce_at(const pc_tenant *t, int64_t period)
{
    char input[128];
    uint8_t mac[32];

    snprintf(input, sizeof input, "dpop-nonce|%s|%lld", t->id, (long long)period);
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, pc_srv->secret_pepper, sizeof pc_srv->secret_pepper, input,
                     strlen(input), mac);
    return pc_b64url_encode(mac, 18);
}

char *pc_oauth2_dpop_nonce(const pc_tenant *t)
{
    return nonce_at(t, pc_now() / NONCE_PERIOD);
}

static int nonce_ok(const pc_tenant *t, const json_t *claim)
{
    int64_t p = pc_now() / NONCE_PERIOD;
    int ok = 0;

    for (int64_t i = p; i >= p - 1 && json_is_string(claim) && !ok; i--) {
        char *n = nonce_at(t, i);
        ok = pc_ct_streq(n, json_string_value(claim));
        free(n);
    }
    return ok;
}

pc_status pc_oauth2_dpop_verify(const pc_tenant *t, const char *proof, const char *htm,
                                const char *htu, const char *token, char **jkt, const char **why)
{
    json_t *claims = NULL;
    pc_status rc = pc_oauth2_dpop_check(proof, htm, htu, token, pc_now(), &claims, jkt, why);

    if (rc != PC_OK)
        return rc;
    if (pc_srv->cfg.dpop_nonce && !nonce_ok(t, json_object_get(claims, "nonce"))) {
        *why = "the DPoP proof must carry the nonce the server gave (DPoP-Nonce)";
        rc = PC_DECLINED; /* RFC 9449 §8: use_dpop_nonce */
    } else {
        /* RFC 9449 §11.1: a proof is used once; remembered as long as its iat is accepted */
        rc = pc_oauth2_jti_use(t->id, "dpop", *jkt,
                               json_string_value(json_object_get(claims, "jti")),
                               (int64_t)json_number_value(json_object_get(claims, "iat")) +
                                   PC_DPOP_MAX_AGE + PC_DPOP_MAX_AHEAD);
        if (rc == PC_ERR_CONFLICT) {
            *why = "the DPoP proof was used already";
            rc = PC_ERR_DENIED;
        }
    }
    if (rc != PC_OK) {
        free(*jkt);
        *jkt = NULL;
    }
    json_decref(claims);
    return rc;
}

const char *pc_oauth2_dpop_bound_jkt(const json_t *claims)
{
    return json_string_value(json_object_get(json_object_get(claims, "cnf"), "jkt"));
}
