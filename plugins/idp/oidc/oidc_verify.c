/* SPDX-License-Identifier: Apache-2.0 */
/* ID token verification against the upstream's JWKS (OIDC Core §3.1.3.7), with rhonabwy. */
#include "oidc.h"

#include <rhonabwy.h>
#include <string.h>

#define LEEWAY 60

/* RFC 8725 §3.1: only asymmetric algorithms; none and HMAC (key confusion) never. */
static int alg_allowed(jwa_alg alg)
{
    switch (alg) {
    case R_JWA_ALG_RS256:
    case R_JWA_ALG_RS384:
    case R_JWA_ALG_RS512:
    case R_JWA_ALG_PS256:
    case R_JWA_ALG_PS384:
    case R_JWA_ALG_PS512:
    case R_JWA_ALG_ES256:
    case R_JWA_ALG_ES384:
    case R_JWA_ALG_ES512:
    case R_JWA_ALG_EDDSA: return 1;
    default: return 0;
    }
}

/* The key of `kid` in the set (or its only key when the token names none), imported; NULL if none. */
static jwk_t *key_for(const json_t *jwks, const char *kid)
{
    const json_t *keys = json_object_get(jwks, "keys"), *k;
    jwk_t *out = NULL;
    size_t i;

    json_array_foreach (keys, i, k) {
        const char *id = json_string_value(json_object_get(k, "kid"));
        const char *use = json_string_value(json_object_get(k, "use"));
        if (use != NULL && strcmp(use, "sig") != 0)
            continue;
        if (kid != NULL ? (id == NULL || strcmp(id, kid) != 0) : json_array_size(keys) != 1)
            continue;
        if (r_jwk_init(&out) != RHN_OK)
            return NULL;
        if (r_jwk_import_from_json_t(out, (json_t *)k) == RHN_OK)
            return out;
        r_jwk_free(out);
        out = NULL;
    }
    return NULL;
}

static int aud_ok(const json_t *claims, const char *client_id)
{
    const json_t *aud = json_object_get(claims, "aud"), *v;
    const char *azp = json_string_value(json_object_get(claims, "azp"));
    size_t i;
    int found = 0;

    if (json_is_string(aud))
        return strcmp(json_string_value(aud), client_id) == 0;
    json_array_foreach (aud, i, v)
        found |= json_is_string(v) && strcmp(json_string_value(v), client_id) == 0;
    /* several audiences: azp must be us (OIDC Core §3.1.3.7 items 4-5) */
    return found && (json_array_size(aud) == 1 || (azp != NULL && strcmp(azp, client_id) == 0));
}

/* The checks of the claims, in the order of OIDC Core §3.1.3.7; NULL when all pass. */
static const char *claims_problem(const json_t *c, const oidc_expect *e)
{
    const char *iss = json_string_value(json_object_get(c, "iss"));
    const char *nonce = json_string_value(json_object_get(c, "nonce"));
    const json_t *exp = json_object_get(c, "exp");

    if (iss == NULL || strcmp(iss, e->issuer) != 0)
        return "the ID token was issued by another issuer";
    if (!aud_ok(c, e->client_id))
        return "the ID token is for another client";
    if (!json_is_integer(exp) && !json_is_real(exp))
        return "the ID token has no expiry";
    if ((int64_t)json_number_value(exp) + LEEWAY < e->now)
        return "the ID token has expired";
    if (nonce == NULL || e->nonce == NULL || strcmp(nonce, e->nonce) != 0)
        return "the ID token's nonce is not the one sent";
    if (!json_is_string(json_object_get(c, "sub")) ||
        json_string_length(json_object_get(c, "sub")) == 0)
        return "the ID token has no subject";
    return NULL;
}

pc_status oidc_verify_id_token(const char *token, const json_t *jwks, const oidc_expect *e,
                               json_t **claims, const char **why)
{
    jwt_t *jwt = NULL;
    jwk_t *key = NULL;
    json_t *c = NULL;
    pc_status rc = PC_ERR_DENIED;

    *claims = NULL;
    *why = "the ID token is malformed";
    if (token == NULL || strlen(token) > 16384 || r_jwt_init(&jwt) != RHN_OK)
        return PC_ERR_DENIED;
    if (r_jwt_parse(jwt, token, R_FLAG_IGNORE_REMOTE) != RHN_OK ||
        r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN)
        goto out;
    *why = "the ID token's algorithm is not accepted";
    if (!alg_allowed(r_jwt_get_sign_alg(jwt)))
        goto out;
    key = key_for(jwks, r_jwt_get_header_str_value(jwt, "kid"));
    if (key == NULL) {
        *why = "no key of the upstream's JWKS signed the ID token";
        rc = PC_ERR_NOT_FOUND;
        goto out;
    }
    *why = "the ID token's signature does not verify with the upstream's key";
    if (r_jwt_verify_signature(jwt, key, R_FLAG_IGNORE_REMOTE) != RHN_OK)
        goto out;
    c = r_jwt_get_full_claims_json_t(jwt);
    *why = c ? claims_problem(c, e) : "the ID token has no claims";
    if (*why == NULL) {
        *claims = c;
        c = NULL;
        rc = PC_OK;
    }
out:
    json_decref(c);
    r_jwk_free(key);
    r_jwt_free(jwt);
    return rc;
}
