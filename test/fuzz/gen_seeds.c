/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the generated seeds of test/fuzz/corpus: real access tokens (and the public keys
 * that verify them, jwt_seed_keys.json), refresh tokens and sealed authorization forms made
 * by the core itself with the harnesses' fixed secrets. Usage: fuzz_seeds <test/fuzz dir>.
 * `make fuzz-seeds` runs it; the output is committed.
 */
#include "fuzz_support.h"
#include "oauth2/refresh_token.h"
#include "oauth2/tokens.h"
#include "server/server.h"
#include "util/crypto.h"
#include "util/mem.h"

#define FAR_FUTURE 4102444800 /* 2100-01-01 */

static const char *dir;
static pc_server srv;

static void put(const char *corpus, const char *name, const char *text)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/corpus/%s/gen-%s", dir, corpus, name);
    f = fopen(path, "wb");
    FUZZ_ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
}

static char *token(const pc_jose_key *k, const char *typ, const char *iss, int64_t exp)
{
    json_t *c = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:[s,s],s:s}", "iss", iss, "sub",
                          "0193a1b2-0000-7000-8000-000000000001", "aud", FUZZ_ISSUER, "exp",
                          (json_int_t)exp, "iat", (json_int_t)1700000000, "jti",
                          "0193a1b2-0000-7000-8000-00000000000a", "client_id", "app-1", "scope",
                          "openid profile", "sid", "0193a1b2-0000-7000-8000-00000000000b", "amr",
                          "pwd", "mfa", "grant_id", "0193a1b2-0000-7000-8000-00000000000c");
    char *jwt = NULL;

    FUZZ_ASSERT(pc_jose_sign(k, typ, c, &jwt) == PC_OK);
    json_decref(c);
    return jwt;
}

static void jwt_seeds(void)
{
    static const pc_jose_alg algs[4] = {PC_ALG_RS256, PC_ALG_PS256, PC_ALG_ES256, PC_ALG_EDDSA};
    static const char *const kids[4] = {"seed-rs256", "seed-ps256", "seed-es256", "seed-eddsa"};
    json_t *pubs = json_array(), *priv, *pub;
    char name[64], *jwt;

    for (int i = 0; i < 4; i++) {
        pc_jose_key *k;
        FUZZ_ASSERT(pc_jose_key_generate(algs[i], kids[i], &priv, &pub) == PC_OK);
        FUZZ_ASSERT(pc_jose_key_import(priv, &k) == PC_OK);
        json_array_append_new(pubs, pub);
        json_decref(priv);
        jwt = token(k, "at+jwt", FUZZ_ISSUER, FAR_FUTURE);
        snprintf(name, sizeof name, "valid-%s", kids[i] + 5);
        put("jwt", name, jwt);
        free(jwt);
        if (algs[i] == PC_ALG_ES256) {
            put("jwt", "expired", (jwt = token(k, "at+jwt", FUZZ_ISSUER, 1700000600)));
            free(jwt);
            put("jwt", "other-issuer",
                (jwt = token(k, "at+jwt", "https://evil.test/t/x", FAR_FUTURE)));
            free(jwt);
            put("jwt", "id-token-typ", (jwt = token(k, "JWT", FUZZ_ISSUER, FAR_FUTURE)));
            free(jwt);
            put("jwt", "no-typ", (jwt = token(k, NULL, FUZZ_ISSUER, FAR_FUTURE)));
            free(jwt);
        }
        pc_jose_key_free(k);
    }
    priv = json_pack("{s:o}", "keys", pubs);
    snprintf(name, sizeof name, "%s/jwt_seed_keys.json", dir);
    FUZZ_ASSERT(json_dump_file(priv, name, JSON_INDENT(2)) == 0);
    json_decref(priv);
}

static void refresh_seeds(void)
{
    static const int64_t gens[] = {0, 1, 41, INT64_MAX - 1};
    char hash[PC_REFRESH_HASH_LEN], name[32], *tok, *text;

    for (size_t i = 0; i < sizeof gens / sizeof gens[0]; i++) {
        tok = pc_refresh_token_make(FUZZ_TENANT_ID, "0193a1b2-0000-7000-8000-00000000000c", gens[i],
                                    hash);
        snprintf(name, sizeof name, "generation-%zu", i);
        put("refresh_token", name, tok);
        if (i == 2) {
            /* The same token presented to another tenant. */
            text = pc_asprintf("%s\nanother-tenant", tok);
            put("refresh_token", "other-tenant", text);
            free(text);
        }
        free(tok);
    }
}

static void seal(const char *tenant_id, const char *json, const char *name)
{
    char *sealed = NULL;

    FUZZ_ASSERT(pc_seal(srv.master_key, tenant_id, json, strlen(json), &sealed) == PC_OK);
    put("authz_form", name, sealed);
    free(sealed);
}

static void form_seeds(void)
{
    seal(FUZZ_TENANT_ID,
         "{\"client_id\":\"app-1\",\"redirect_uri\":\"https://rp.example.test/cb\","
         "\"scope\":\"openid profile\",\"state\":\"xyz\",\"nonce\":\"n-0S6\","
         "\"code_challenge\":\"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\",\"prompt\":\"login\","
         "\"max_age\":600,\"csrf\":\"c5rf\",\"exp\":4102444800}",
         "valid");
    seal(FUZZ_TENANT_ID, "{\"client_id\":\"app-1\",\"exp\":1700000000}", "expired");
    seal(FUZZ_TENANT_ID, "[\"not\",\"an\",\"object\"]", "array");
    seal(FUZZ_TENANT_ID, "{\"client_id\":", "truncated-json");
    seal("another-tenant", "{\"client_id\":\"app-1\",\"exp\":4102444800}", "other-tenant");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <test/fuzz directory>\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    memset(srv.master_key, FUZZ_KEY_BYTE, sizeof srv.master_key);
    memset(srv.refresh_key, FUZZ_KEY_BYTE, sizeof srv.refresh_key);
    pc_srv = &srv;
    jwt_seeds();
    refresh_seeds();
    form_seeds();
    return 0;
}
