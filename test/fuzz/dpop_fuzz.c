/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes DPoP proof checking (RFC 9449 §4.3, core/oauth2/dpop.c): the DPoP header as a
 * client sends it, checked for a POST to the token endpoint and, with ath, for an access
 * token.
 *
 * Input: a compact JWS; or "#<k>\n<claims JSON>", which the harness signs with its key k
 * (a digit, modulo 3: PS256, ES256, EdDSA) carrying that key's public JWK in the header with
 * typ dpop+jwt, so the checks after the signature see any claims at all.
 */
#include "fuzz_support.h"
#include "jose/jose.h"
#include "oauth2/dpop.h"

#define HTU FUZZ_ISSUER "/oauth2/token"
#define TOKEN "fuzz-access-token"
#define NOW 1800000000

static const pc_jose_alg algs[3] = {PC_ALG_PS256, PC_ALG_ES256, PC_ALG_EDDSA};
static pc_jose_key *signers[3];
static json_t *pubs[3];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *priv;

    (void)argc;
    (void)argv;
    for (int i = 0; i < 3; i++) {
        FUZZ_ASSERT(pc_jose_key_generate(algs[i], NULL, &priv, &pubs[i]) == PC_OK);
        FUZZ_ASSERT(pc_jose_key_import(priv, &signers[i]) == PC_OK);
        json_object_del(pubs[i], "alg");
        json_object_del(pubs[i], "use");
        json_decref(priv);
    }
    return 0;
}

static char *sign_claims(const char *in)
{
    const char *nl = strchr(in, '\n');
    int k = in[1] ? (unsigned char)in[1] % 3 : 0;
    json_t *claims, *hdr;
    char *jwt = NULL;

    if (nl == NULL)
        return NULL;
    claims = json_loads(nl + 1, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(claims)) {
        json_decref(claims);
        return NULL;
    }
    hdr = json_pack("{s:O}", "jwk", pubs[k]);
    pc_jose_sign_with(signers[k], "dpop+jwt", hdr, claims, &jwt);
    json_decref(hdr);
    json_decref(claims);
    return jwt;
}

static void check_accepted(const json_t *c, const char *jkt, int with_token)
{
    FUZZ_ASSERT(jkt != NULL && strlen(jkt) == 43);
    FUZZ_ASSERT(strcmp(json_string_value(json_object_get(c, "htm")), "POST") == 0);
    FUZZ_ASSERT(strncmp(json_string_value(json_object_get(c, "htu")), HTU, strlen(HTU)) == 0);
    FUZZ_ASSERT(json_string_length(json_object_get(c, "jti")) > 0);
    FUZZ_ASSERT(!with_token || json_is_string(json_object_get(c, "ath")));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), *jwt = in[0] == '#' ? sign_claims(in) : strdup(in);
    const char *why;

    for (int with_token = 0; jwt != NULL && with_token < 2; with_token++) {
        json_t *claims = NULL;
        char *jkt = NULL;
        if (pc_oauth2_dpop_check(jwt, "POST", HTU, with_token ? TOKEN : NULL, NOW, &claims, &jkt,
                                 &why) == PC_OK)
            check_accepted(claims, jkt, with_token);
        else
            FUZZ_ASSERT(claims == NULL && jkt == NULL && why != NULL);
        json_decref(claims);
        free(jkt);
    }
    free(jwt);
    free(in);
    return 0;
}
