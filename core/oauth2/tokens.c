/* SPDX-License-Identifier: Apache-2.0 */
/* Access tokens: minted as RFC 9068 JWTs, verified with the tenant's keys and the revocation feed. */
#include "oauth2/tokens.h"
#include "oauth2/changes.h"
#include "oauth2/token_cache.h"
#include "oidc/token_claims.h"
#include "server/server.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void pc_minted_clear(pc_minted *m)
{
    free(m->jwt);
    m->jwt = NULL;
}

pc_status pc_token_mint_access(const pc_tenant *t, const pc_token_subject *s, pc_minted *out)
{
    pc_jose_alg alg = s->access_alg ? pc_jose_alg_from_str(s->access_alg) : PC_ALG_NONE_;
    const pc_jose_key *key =
        pc_keyring_signer(t->keys, alg != PC_ALG_NONE_ ? alg : t->access_alg, pc_now());
    json_t *claims;
    pc_status rc;

    if (key == NULL)
        return PC_ERR_CRYPTO;
    pc_uuid7(out->jti);
    out->iat = pc_now();
    out->exp = out->iat + t->access_ttl;
    if (s->exp_cap > 0 && out->exp > s->exp_cap)
        out->exp = s->exp_cap;
    /* RFC 9068 §2.2 */
    claims = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s}", "iss", t->issuer, "sub", s->sub, "aud",
                       s->audience ? s->audience : t->audience, "exp", (json_int_t)out->exp, "iat",
                       (json_int_t)out->iat, "jti", out->jti, "client_id", s->client_id, "scope",
                       s->scope ? s->scope : "");
    if (s->is_user) {
        json_object_set_new(claims, "sid", json_string(s->sid));
        json_object_set(claims, "amr", s->amr ? (json_t *)s->amr : json_array());
        if (s->amr == NULL)
            json_decref(json_object_get(claims, "amr"));
        if (s->auth_time > 0)
            json_object_set_new(claims, "auth_time", json_integer(s->auth_time));
        /* Revoking the grant (a replayed refresh token, RFC 7009) reaches every
         * access token minted from it through this claim. */
        if (s->grant_id != NULL)
            json_object_set_new(claims, "grant_id", json_string(s->grant_id));
        if (s->org_id != NULL) /* API.md §18 */
            json_object_set_new(claims, "org_id", json_string(s->org_id));
        if (s->org_slug != NULL)
            json_object_set_new(claims, "org_slug", json_string(s->org_slug));
    }
    pc_oidc_token_claims_add(claims, s->extra);
    if (s->act != NULL) /* RFC 8693 §4.1: who acts for the subject */
        json_object_set(claims, "act", (json_t *)s->act);
    if (s->jkt != NULL) /* RFC 9449 §6.1: bound to the client's DPoP key */
        json_object_set_new(claims, "cnf", json_pack("{s:s}", "jkt", s->jkt));
    rc = pc_jose_sign(key, "at+jwt", claims, &out->jwt);
    json_decref(claims);
    return rc;
}

static int typ_is_access(const json_t *header)
{
    const char *typ = json_string_value(json_object_get(header, "typ"));

    /* RFC 9068 §4: "at+jwt", also "application/at+jwt". */
    return typ != NULL && (strcmp(typ, "at+jwt") == 0 || strcmp(typ, "application/at+jwt") == 0);
}

static pc_status check_claims(const pc_tenant *t, const json_t *c)
{
    const char *iss = json_string_value(json_object_get(c, "iss"));
    json_t *exp = json_object_get(c, "exp"), *iat = json_object_get(c, "iat");

    if (iss == NULL || strcmp(iss, t->issuer) != 0)
        return PC_ERR_DENIED; /* another tenant's token */
    if (!json_is_integer(exp) || json_integer_value(exp) <= pc_now() || !json_is_integer(iat))
        return PC_ERR_DENIED;
    if (!json_is_string(json_object_get(c, "sub")) || !json_is_string(json_object_get(c, "jti")))
        return PC_ERR_DENIED;
    if (pc_changes_is_revoked(t->id, json_string_value(json_object_get(c, "jti")),
                              json_string_value(json_object_get(c, "sid")),
                              json_string_value(json_object_get(c, "grant_id")),
                              json_string_value(json_object_get(c, "client_id")),
                              json_integer_value(iat)) ||
        pc_changes_user_cut(t->id, json_string_value(json_object_get(c, "sub")),
                            json_integer_value(iat)) ||
        pc_changes_member_cut(t->id, json_string_value(json_object_get(c, "sub")),
                              json_string_value(json_object_get(c, "org_id")),
                              json_integer_value(iat)) ||
        pc_changes_consent_cut(t->id, json_string_value(json_object_get(c, "sub")),
                               json_string_value(json_object_get(c, "client_id")),
                               json_integer_value(iat)))
        return PC_ERR_DENIED;
    return PC_OK;
}

/* Signature, typ and issuer: what a cached verification already settled. */
static pc_status verify_signature(const pc_tenant *t, const char *jwt, json_t **claims)
{
    size_t n;
    const pc_jose_key *const *keys = pc_keyring_keys(t->keys, &n);
    json_t *header = NULL, *c = NULL;
    pc_status rc = pc_jose_verify(keys, n, jwt, &header, &c);
    const char *iss;

    if (rc == PC_OK && !typ_is_access(header))
        rc = PC_ERR_DENIED;
    iss = json_string_value(json_object_get(c, "iss"));
    if (rc == PC_OK && (iss == NULL || strcmp(iss, t->issuer) != 0))
        rc = PC_ERR_DENIED; /* another tenant's token */
    json_decref(header);
    if (rc != PC_OK) {
        json_decref(c);
        return PC_ERR_DENIED;
    }
    *claims = c;
    return PC_OK;
}

pc_status pc_token_verify_access(const pc_tenant *t, const char *jwt, json_t **claims)
{
    json_t *c;
    int cached;

    if (jwt == NULL || strlen(jwt) > 8192)
        return PC_ERR_DENIED;
    /* A token verified before skips the signature; expiry and revocation are checked every time. */
    c = pc_token_cache_get(t->id, jwt, pc_now());
    cached = c != NULL;
    if (!cached && verify_signature(t, jwt, &c) != PC_OK)
        return PC_ERR_DENIED;
    if (check_claims(t, c) != PC_OK) {
        json_decref(c);
        return PC_ERR_DENIED;
    }
    if (!cached)
        pc_token_cache_put(t->id, jwt, c);
    *claims = c;
    return PC_OK;
}
