/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oauth2/dpop_bind.c: the one rule for an access token used as a credential (RFC 9449 §7). */
#include "test_support.h"
#include "oauth2/dpop.h"
#include "oauth2/tokens.h"

#include <string.h>

#define JKT "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
#define OTHER_JKT "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

static pc_tenant tenant;

static int setup(void **state)
{
    json_t *priv, *pub, *jwks;

    (void)state;
    memset(&tenant, 0, sizeof tenant);
    strcpy(tenant.id, "tenant-a");
    tenant.issuer = tenant.audience = "http://127.0.0.1:1/t/a";
    tenant.access_alg = PC_ALG_ES256;
    tenant.access_ttl = 600;
    assert_int_equal(pc_jose_key_generate(PC_ALG_ES256, "es-1", &priv, &pub), PC_OK);
    jwks = json_pack("{s:[o]}", "keys", priv);
    assert_int_equal(pc_keyring_from_jwks(jwks, &tenant.keys), PC_OK);
    json_decref(jwks);
    json_decref(pub);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pc_keyring_free(tenant.keys);
    return 0;
}

/* A client's access token, bound to `jkt` when not NULL (new). */
static char *token(const char *jkt)
{
    pc_token_subject s = {.sub = "app-1", .client_id = "app-1", .scope = "", .jkt = jkt};
    pc_minted m = {0};
    char *jwt;

    assert_int_equal(pc_token_mint_access(&tenant, &s, &m), PC_OK);
    jwt = m.jwt;
    m.jwt = NULL;
    pc_minted_clear(&m);
    return jwt;
}

/* pc_oauth2_access_accept() as presented by `how`; *why and *error as it set them. */
static pc_status accept(const char *jwt, pc_token_presented how, const char **error,
                        const char **why)
{
    json_t *claims = NULL;
    pc_status rc = pc_oauth2_access_accept(&tenant, jwt, &how, &claims, error, why);

    assert_true((rc == PC_OK) == (claims != NULL));
    json_decref(claims);
    return rc;
}

static void test_unbound_token(void **state)
{
    char *jwt = token(NULL);
    const char *error, *why;

    (void)state;
    assert_int_equal(accept(jwt, (pc_token_presented){.scheme = PC_TOKEN_AS_BEARER}, &error, &why),
                     PC_OK);
    assert_null(why); /* nothing for a later refusal to borrow */
    assert_int_equal(
        accept(jwt, (pc_token_presented){.scheme = PC_TOKEN_AS_PARAMETER}, &error, &why), PC_OK);
    /* RFC 9449 §7.1: the DPoP scheme is for bound tokens only */
    assert_int_equal(accept(jwt, (pc_token_presented){.scheme = PC_TOKEN_AS_DPOP}, &error, &why),
                     PC_ERR_DENIED);
    assert_non_null(why);
    assert_string_equal(error, "invalid_token");
    free(jwt);
}

static void test_bound_token_needs_its_key(void **state)
{
    char *jwt = token(JKT);
    const char *error, *why;
    pc_token_presented param = {.scheme = PC_TOKEN_AS_PARAMETER};

    (void)state;
    /* RFC 9449 §7.2: not as a bearer token */
    assert_int_equal(accept(jwt, (pc_token_presented){.scheme = PC_TOKEN_AS_BEARER}, &error, &why),
                     PC_ERR_DENIED);
    assert_non_null(why);
    /* as a parameter: only with the request's own proof of the same key */
    assert_int_equal(accept(jwt, param, &error, &why), PC_ERR_DENIED);
    param.proven_jkt = OTHER_JKT;
    assert_int_equal(accept(jwt, param, &error, &why), PC_ERR_DENIED);
    param.proven_jkt = JKT;
    assert_int_equal(accept(jwt, param, &error, &why), PC_OK);
    /* the DPoP scheme without a proof */
    assert_int_equal(accept(jwt,
                            (pc_token_presented){.scheme = PC_TOKEN_AS_DPOP,
                                                 .method = "GET",
                                                 .htu = "http://127.0.0.1:1/t/a/x"},
                            &error, &why),
                     PC_ERR_DENIED);
    assert_string_equal(error, "invalid_dpop_proof");
    free(jwt);
}

static void test_invalid_token_says_no_why(void **state)
{
    const char *error, *why;

    (void)state;
    assert_int_equal(
        accept("not.a.token", (pc_token_presented){.scheme = PC_TOKEN_AS_BEARER}, &error, &why),
        PC_ERR_DENIED);
    assert_null(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unbound_token),
        cmocka_unit_test(test_bound_token_needs_its_key),
        cmocka_unit_test(test_invalid_token_says_no_why),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
