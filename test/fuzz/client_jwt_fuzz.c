/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes what a client signs with its own keys: client assertions (RFC 7523,
 * core/oauth2/client_assertion.c) and request objects (RFC 9101,
 * core/oauth2/request_object.c), verified against an application whose inline
 * jwks holds the public halves of keys generated at start.
 *
 * Input: a compact JWS; or "#<k>\n<claims JSON>", which the harness signs with
 * its key k (a digit, modulo 4: RS256, PS256, ES256, EdDSA) so the claim checks
 * after the signature see any claims at all.
 */
#include "fuzz_support.h"
#include "jose/jose.h"
#include "oauth2/client_assertion.h"
#include "oauth2/par.h"

#define CLIENT_ID "fuzz-client"
#define ENDPOINT FUZZ_ISSUER "/oauth2/token"
#define NOW 1800000000

static const pc_jose_alg algs[4] = {PC_ALG_RS256, PC_ALG_PS256, PC_ALG_ES256, PC_ALG_EDDSA};
static const char *const kids[4] = {"c-rs256", "c-ps256", "c-es256", "c-eddsa"};
static pc_jose_key *signers[4];
static json_t *app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *keys = json_array(), *priv, *pub;

    (void)argc;
    (void)argv;
    for (int i = 0; i < 4; i++) {
        FUZZ_ASSERT(pc_jose_key_generate(algs[i], kids[i], &priv, &pub) == PC_OK);
        FUZZ_ASSERT(pc_jose_key_import(priv, &signers[i]) == PC_OK);
        json_array_append_new(keys, pub);
        json_decref(priv);
    }
    app = json_pack("{s:s,s:s,s:{s:o}}", "client_id", CLIENT_ID, "token_endpoint_auth_method",
                    "private_key_jwt", "jwks", "keys", keys);
    return 0;
}

static char *sign_claims(const char *in)
{
    const char *nl = strchr(in, '\n');
    json_t *claims;
    char *jwt = NULL;

    if (nl == NULL || in[1] == '\0')
        return NULL;
    claims = json_loads(nl + 1, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(claims))
        pc_jose_sign(signers[(unsigned char)in[1] % 4], NULL, claims, &jwt);
    json_decref(claims);
    return jwt;
}

static int str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

/* An accepted assertion is the client's, for us, unexpired, with a jti. */
static void check_assertion(const json_t *c)
{
    const json_t *aud = json_object_get(c, "aud");

    FUZZ_ASSERT(str_is(json_object_get(c, "iss"), CLIENT_ID));
    FUZZ_ASSERT(str_is(json_object_get(c, "sub"), CLIENT_ID));
    FUZZ_ASSERT(json_is_array(aud) || str_is(aud, FUZZ_ISSUER) || str_is(aud, ENDPOINT));
    FUZZ_ASSERT(json_number_value(json_object_get(c, "exp")) > NOW - 60);
    FUZZ_ASSERT(json_string_length(json_object_get(c, "jti")) > 0);
}

/* Accepted request parameters are known names with string values, never nested requests. */
static void check_params(const json_t *p)
{
    const char *name;
    json_t *v;

    FUZZ_ASSERT(str_is(json_object_get(p, "client_id"), CLIENT_ID));
    json_object_foreach ((json_t *)p, name, v) {
        int known = 0;
        for (size_t i = 0; pc_authz_param_names[i] != NULL; i++)
            known |= strcmp(pc_authz_param_names[i], name) == 0;
        FUZZ_ASSERT(known && json_is_string(v));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), *jwt = in[0] == '#' ? sign_claims(in) : strdup(in);
    json_t *claims = NULL, *params = NULL;
    const char *why;

    if (jwt != NULL) {
        if (pc_oauth2_assertion_check(app, jwt, FUZZ_ISSUER, ENDPOINT, NOW, &claims, &why) == PC_OK)
            check_assertion(claims);
        else
            FUZZ_ASSERT(claims == NULL && why != NULL);
        if (pc_oauth2_request_object(app, jwt, FUZZ_ISSUER, &params, &why) == PC_OK)
            check_params(params);
        else
            FUZZ_ASSERT(params == NULL && why != NULL);
        free(pc_oauth2_assertion_client_id(jwt));
    }
    json_decref(claims);
    json_decref(params);
    free(jwt);
    free(in);
    return 0;
}
