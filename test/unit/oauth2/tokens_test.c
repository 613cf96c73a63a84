/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oauth2/tokens.c and core/oidc/id_token.c: RFC 9068 claims, verification, ID token claims. */
#include "test_support.h"
#include "oauth2/tokens.h"
#include "oidc/id_token.h"
#include "util/crypto.h"

#include <stdlib.h>
#include <string.h>

static pc_tenant tenant, other;

static json_t *key_set(void)
{
    json_t *keys = json_array(), *priv, *pub;
    const pc_jose_alg algs[] = {PC_ALG_ES256, PC_ALG_RS256};
    const char *kids[] = {"es-1", "rs-1"};

    for (int i = 0; i < 2; i++) {
        assert_int_equal(pc_jose_key_generate(algs[i], kids[i], &priv, &pub), PC_OK);
        json_array_append_new(keys, priv);
        json_decref(pub);
    }
    return json_pack("{s:o}", "keys", keys);
}

static void make_tenant(pc_tenant *t, const char *issuer, json_t *jwks)
{
    memset(t, 0, sizeof *t);
    strcpy(t->id, issuer[strlen(issuer) - 1] == 'a' ? "tenant-a" : "tenant-b");
    t->issuer = (char *)issuer;
    t->audience = (char *)issuer;
    t->access_alg = PC_ALG_ES256;
    t->id_alg = PC_ALG_RS256;
    t->access_ttl = 600;
    assert_int_equal(pc_keyring_from_jwks(jwks, &t->keys), PC_OK);
}

static int setup(void **state)
{
    json_t *jwks = key_set();

    (void)state;
    make_tenant(&tenant, "http://127.0.0.1:1/t/a", jwks);
    make_tenant(&other, "http://127.0.0.1:1/t/b", jwks); /* same keys, other issuer */
    json_decref(jwks);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pc_keyring_free(tenant.keys);
    pc_keyring_free(other.keys);
    return 0;
}

static pc_token_subject user_subject(json_t *amr)
{
    pc_token_subject s = {.sub = "user-1",
                          .is_user = 1,
                          .client_id = "app-1",
                          .scope = "openid profile",
                          .sid = "sid-1",
                          .amr = amr,
                          .auth_time = 1700000000,
                          .nonce = "n-0S6"};
    return s;
}

static void test_access_token_claims(void **state)
{
    json_t *amr = json_pack("[s]", "pwd"), *claims = NULL;
    pc_token_subject s = user_subject(amr);
    pc_minted m = {0};

    (void)state;
    assert_int_equal(pc_token_mint_access(&tenant, &s, &m), PC_OK);
    assert_int_equal(pc_token_verify_access(&tenant, m.jwt, &claims), PC_OK);
    /* RFC 9068 §2.2 */
    assert_string_equal(json_string_value(json_object_get(claims, "iss")), tenant.issuer);
    assert_string_equal(json_string_value(json_object_get(claims, "sub")), "user-1");
    assert_string_equal(json_string_value(json_object_get(claims, "aud")), tenant.issuer);
    assert_string_equal(json_string_value(json_object_get(claims, "client_id")), "app-1");
    assert_string_equal(json_string_value(json_object_get(claims, "scope")), "openid profile");
    assert_string_equal(json_string_value(json_object_get(claims, "sid")), "sid-1");
    assert_string_equal(json_string_value(json_object_get(claims, "jti")), m.jti);
    assert_int_equal(json_integer_value(json_object_get(claims, "exp")) -
                         json_integer_value(json_object_get(claims, "iat")),
                     600);
    assert_string_equal(json_string_value(json_array_get(json_object_get(claims, "amr"), 0)),
                        "pwd");
    json_decref(claims);
    pc_minted_clear(&m);
    json_decref(amr);
}

static void test_client_token_has_no_user_claims(void **state)
{
    pc_token_subject s = {.sub = "app-1",
                          .is_user = 0,
                          .client_id = "app-1",
                          .scope = "",
                          .audience = "https://api.example.org"};
    pc_minted m = {0};
    json_t *claims = NULL;

    (void)state;
    assert_int_equal(pc_token_mint_access(&tenant, &s, &m), PC_OK);
    assert_int_equal(pc_token_verify_access(&tenant, m.jwt, &claims), PC_OK);
    assert_null(json_object_get(claims, "sid"));
    assert_null(json_object_get(claims, "amr"));
    /* RFC 8707: the resource becomes the audience. */
    assert_string_equal(json_string_value(json_object_get(claims, "aud")),
                        "https://api.example.org");
    json_decref(claims);
    pc_minted_clear(&m);
}

static void test_verification_refuses(void **state)
{
    json_t *amr = json_pack("[s]", "pwd"), *claims = NULL;
    pc_token_subject s = user_subject(amr);
    pc_minted m = {0};
    char *tampered;

    (void)state;
    assert_int_equal(pc_token_mint_access(&tenant, &s, &m), PC_OK);
    /* Another tenant's token: same keys here, so only the issuer check stops it. */
    assert_int_equal(pc_token_verify_access(&other, m.jwt, &claims), PC_ERR_DENIED);
    tampered = strdup(m.jwt);
    tampered[strlen(tampered) - 5] ^= 1;
    assert_int_equal(pc_token_verify_access(&tenant, tampered, &claims), PC_ERR_DENIED);
    assert_int_equal(pc_token_verify_access(&tenant, "not.a.jwt", &claims), PC_ERR_DENIED);
    assert_int_equal(pc_token_verify_access(&tenant, NULL, &claims), PC_ERR_DENIED);
    free(tampered);
    pc_minted_clear(&m);

    tenant.access_ttl = -5; /* already expired when minted */
    assert_int_equal(pc_token_mint_access(&tenant, &s, &m), PC_OK);
    tenant.access_ttl = 600;
    assert_int_equal(pc_token_verify_access(&tenant, m.jwt, &claims), PC_ERR_DENIED);
    pc_minted_clear(&m);
    json_decref(amr);
}

static void test_id_token_claims(void **state)
{
    json_t *amr = json_pack("[s]", "pwd"), *user, *header = NULL, *claims = NULL;
    pc_token_subject s = user_subject(amr);
    size_t n;
    const pc_jose_key *const *keys = pc_keyring_keys(tenant.keys, &n);
    char *jwt = NULL, *expected;

    (void)state;
    user = json_pack("{s:s,s:s}", "id", "user-1", "username", "ada");
    assert_int_equal(pc_oidc_id_token(&tenant, &s, user, "the-access-token", &jwt), PC_OK);
    assert_int_equal(pc_jose_verify(keys, n, jwt, &header, &claims), PC_OK);
    assert_string_equal(json_string_value(json_object_get(header, "alg")), "RS256");
    /* OIDC Core §2: aud is the client */
    assert_string_equal(json_string_value(json_object_get(claims, "aud")), "app-1");
    assert_string_equal(json_string_value(json_object_get(claims, "nonce")), "n-0S6");
    assert_string_equal(json_string_value(json_object_get(claims, "sid")), "sid-1");
    assert_int_equal(json_integer_value(json_object_get(claims, "auth_time")), 1700000000);
    assert_string_equal(json_string_value(json_object_get(claims, "preferred_username")), "ada");
    expected = pc_jose_half_hash(PC_ALG_RS256, "the-access-token");
    assert_string_equal(json_string_value(json_object_get(claims, "at_hash")), expected);
    free(expected);
    free(jwt);
    json_decref(header);
    json_decref(claims);
    json_decref(user);
    json_decref(amr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access_token_claims),
        cmocka_unit_test(test_client_token_has_no_user_claims),
        cmocka_unit_test(test_verification_refuses),
        cmocka_unit_test(test_id_token_claims),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
