/* SPDX-License-Identifier: Apache-2.0 */
/* ID tokens (OIDC Core §2): signed with the tenant's ID-token alg, with at_hash. */
#include "oidc/id_token.h"
#include "oidc/claims.h"
#include "oidc/token_claims.h"
#include "server/server.h"
#include "server/store.h"

#include <stdlib.h>
#include <string.h>

/* API.md §14: a sign-in through an upstream names it in the claim idp (kept on the session). */
static void add_idp(const pc_tenant *t, const pc_token_subject *s, json_t *claims)
{
    json_t *session = NULL, *v;
    size_t i;
    int fed = 0;

    json_array_foreach (s->amr, i, v)
        fed |= json_is_string(v) && strcmp(json_string_value(v), "fed") == 0;
    if (!fed || s->sid == NULL ||
        pc_db_get(NULL, PC_ENT_SESSION, t->id, "id", s->sid, &session) != PC_OK)
        return;
    if (json_is_string(json_object_get(session, "idp")))
        json_object_set(claims, "idp", json_object_get(session, "idp"));
    json_decref(session);
}

pc_status pc_oidc_id_token(const pc_tenant *t, const pc_token_subject *s, const json_t *user,
                           const char *access_token, char **jwt)
{
    pc_jose_alg alg = s->id_alg ? pc_jose_alg_from_str(s->id_alg) : PC_ALG_NONE_;
    const pc_jose_key *key =
        pc_keyring_signer(t->keys, alg != PC_ALG_NONE_ ? alg : t->id_alg, pc_now());
    int64_t now = pc_now();
    json_t *claims;
    char *at_hash;
    pc_status rc;

    if (key == NULL)
        return PC_ERR_CRYPTO;
    claims = pc_oidc_user_claims(user, s->scope);
    /* OIDC Core §2: aud is the client_id */
    json_object_set_new(claims, "iss", json_string(t->issuer));
    json_object_set_new(claims, "aud", json_string(s->client_id));
    json_object_set_new(claims, "azp", json_string(s->client_id));
    json_object_set_new(claims, "iat", json_integer(now));
    json_object_set_new(claims, "exp", json_integer(now + t->access_ttl));
    json_object_set_new(claims, "auth_time", json_integer(s->auth_time ? s->auth_time : now));
    json_object_set_new(claims, "sid", json_string(s->sid));
    json_object_set(claims, "amr", s->amr ? (json_t *)s->amr : json_array());
    if (s->amr == NULL)
        json_decref(json_object_get(claims, "amr"));
    if (s->nonce != NULL)
        json_object_set_new(claims, "nonce", json_string(s->nonce));
    add_idp(t, s, claims);
    pc_oidc_token_claims_add(claims, s->extra); /* API.md §16 */
    /* OIDC Core §3.1.3.6 */
    at_hash = access_token ? pc_jose_half_hash(pc_jose_key_alg(key), access_token) : NULL;
    if (at_hash != NULL)
        json_object_set_new(claims, "at_hash", json_string(at_hash));
    free(at_hash);
    rc = pc_jose_sign(key, "JWT", claims, jwt);
    json_decref(claims);
    return rc;
}
