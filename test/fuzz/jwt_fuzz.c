/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes bearer-token verification as the server does it (core/oauth2/tokens.c over
 * core/jose): pc_token_verify_access against a tenant keyring of keys generated at start
 * plus the public keys of gen_seeds.c, whose real tokens are the seeds.
 *
 * Input: a compact JWS as sent in "Authorization: Bearer"; or "#<k><typ>\n<claims JSON>",
 * which the harness signs with its key k (a digit, modulo 4: RS256, PS256, ES256, EdDSA) so the
 * checks after the signature see any claims at all.
 */
#include "fuzz_support.h"
#include "oauth2/token_cache.h"
#include "oauth2/tokens.h"
#include "util/crypto.h"

static pc_tenant tenant;
static const pc_jose_alg algs[4] = {PC_ALG_RS256, PC_ALG_PS256, PC_ALG_ES256, PC_ALG_EDDSA};
static const char *const kids[4] = {"fuzz-rs256", "fuzz-ps256", "fuzz-es256", "fuzz-eddsa"};

static json_t *generated_keys(void)
{
    json_t *keys = json_array(), *priv, *pub;

    for (int i = 0; i < 4; i++) {
        FUZZ_ASSERT(pc_jose_key_generate(algs[i], kids[i], &priv, &pub) == PC_OK);
        json_array_append_new(keys, priv);
        json_decref(pub);
    }
    return keys;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *keys = generated_keys();
    json_t *seed_keys = json_load_file(PC_FUZZ_DIR "/jwt_seed_keys.json", 0, NULL);
    json_t *jwks;

    (void)argc;
    (void)argv;
    /* The seeds' public keys: their tokens verify, so mutations start past the signature. */
    FUZZ_ASSERT(seed_keys != NULL);
    json_array_extend(keys, json_object_get(seed_keys, "keys"));
    json_decref(seed_keys);
    jwks = json_pack("{s:o}", "keys", keys);
    strcpy(tenant.id, FUZZ_TENANT_ID);
    tenant.issuer = FUZZ_ISSUER;
    tenant.audience = FUZZ_ISSUER;
    tenant.access_alg = PC_ALG_ES256;
    tenant.access_ttl = 600;
    FUZZ_ASSERT(pc_keyring_from_jwks(jwks, &tenant.keys) == PC_OK);
    json_decref(jwks);
    return 0;
}

/* "#<k><typ>\n<claims>": sign the claims with generated key k; NULL if they are no object. */
static char *sign_claims(const char *in)
{
    const char *nl = strchr(in, '\n');
    size_t n;
    const pc_jose_key *const *keys = pc_keyring_keys(tenant.keys, &n);
    char typ[64];
    json_t *claims;
    char *jwt = NULL;

    if (nl == NULL || in[1] == '\0' || (size_t)(nl - in - 2) >= sizeof typ)
        return NULL;
    memcpy(typ, in + 2, (size_t)(nl - in - 2));
    typ[nl - in - 2] = '\0';
    claims = json_loads(nl + 1, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(claims))
        pc_jose_sign(keys[(unsigned char)in[1] % 4], typ[0] ? typ : NULL, claims, &jwt);
    json_decref(claims);
    return jwt;
}

/* RFC 7515 §2: one spelling per token, so every part of an accepted one re-encodes to itself. */
static void check_canonical(const char *jwt)
{
    const char *p = jwt;

    for (int part = 0; part < 3; part++) {
        size_t len = strcspn(p, "."), n;
        uint8_t *raw;
        char *again;
        FUZZ_ASSERT(pc_b64url_decode(p, len, &raw, &n) == PC_OK);
        again = pc_b64url_encode(raw, n);
        FUZZ_ASSERT(strlen(again) == len && memcmp(again, p, len) == 0);
        free(again);
        free(raw);
        p += len + 1;
    }
}

static void check_accepted(const char *jwt, const json_t *claims)
{
    size_t n;
    const pc_jose_key *const *keys = pc_keyring_keys(tenant.keys, &n);
    json_t *header = NULL, *again = NULL;
    const char *typ;

    /* What the server accepts is a verified JWS of this issuer, typed as an access token. */
    FUZZ_ASSERT(pc_jose_verify(keys, n, jwt, &header, &again) == PC_OK);
    FUZZ_ASSERT(json_equal(again, claims));
    typ = json_string_value(json_object_get(header, "typ"));
    FUZZ_ASSERT(typ != NULL && strstr(typ, "at+jwt") != NULL);
    FUZZ_ASSERT(strcmp(json_string_value(json_object_get(claims, "iss")), FUZZ_ISSUER) == 0);
    FUZZ_ASSERT(json_integer_value(json_object_get(claims, "exp")) > 0);
    check_canonical(jwt);
    json_decref(header);
    json_decref(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), *jwt = in[0] == '#' ? sign_claims(in) : strdup(in);
    json_t *claims = NULL;

    /* Each input verified from scratch: a cached token would skip the signature. */
    pc_token_cache_clear();
    if (jwt != NULL && pc_token_verify_access(&tenant, jwt, &claims) == PC_OK)
        check_accepted(jwt, claims);
    json_decref(claims);
    free(jwt);
    free(in);
    return 0;
}
