/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/oauth2/refresh_token.c: the format round-trips, and nothing but a genuine token opens. */
#include "test_support.h"
#include "oauth2/refresh_token.h"
#include "server/server.h"
#include "util/crypto.h"

#include <stdlib.h>
#include <string.h>

#define GRANT "01936f3e-5b2a-7c41-9d7e-0123456789ab"
#define TENANT "tenant-a"

static pc_server srv;

static int setup(void **state)
{
    (void)state;
    memset(srv.refresh_key, 0x5a, sizeof srv.refresh_key);
    pc_srv = &srv;
    return 0;
}

static void round_trip(void **state)
{
    char hash[PC_REFRESH_HASH_LEN], opened_hash[PC_REFRESH_HASH_LEN], grant[37];
    int64_t gen = -1;
    char *tok = pc_refresh_token_make(TENANT, GRANT, 41, hash);

    (void)state;
    assert_non_null(tok);
    assert_int_equal(strlen(tok), 96);
    assert_int_equal(strlen(hash), 64);
    assert_true(pc_refresh_token_open(TENANT, tok, grant, &gen, opened_hash));
    assert_string_equal(grant, GRANT);
    assert_int_equal(gen, 41);
    assert_string_equal(opened_hash, hash);
    free(tok);
}

static void each_token_has_its_own_secret(void **state)
{
    char h1[PC_REFRESH_HASH_LEN], h2[PC_REFRESH_HASH_LEN];
    char *a = pc_refresh_token_make(TENANT, GRANT, 7, h1),
         *b = pc_refresh_token_make(TENANT, GRANT, 7, h2);

    (void)state;
    assert_string_not_equal(a, b);
    assert_string_not_equal(h1, h2);
    free(a);
    free(b);
}

static void large_generations_survive(void **state)
{
    char hash[PC_REFRESH_HASH_LEN], grant[37];
    int64_t gen = 0, big = INT64_MAX - 1;
    char *tok = pc_refresh_token_make(TENANT, GRANT, big, hash);

    (void)state;
    assert_true(pc_refresh_token_open(TENANT, tok, grant, &gen, hash));
    assert_true(gen == big);
    free(tok);
}

/* Changing any one character of the token must make it fail to open. */
static void every_altered_character_is_refused(void **state)
{
    char hash[PC_REFRESH_HASH_LEN], grant[37];
    int64_t gen;
    char *tok = pc_refresh_token_make(TENANT, GRANT, 3, hash);

    (void)state;
    for (size_t i = 0; i < strlen(tok); i++) {
        char saved = tok[i];
        tok[i] = saved == 'A' ? 'B' : 'A';
        if (pc_refresh_token_open(TENANT, tok, grant, &gen, hash))
            fail_msg("a token altered at %zu opened", i);
        tok[i] = saved;
    }
    free(tok);
}

static void another_tenant_or_key_cannot_open_it(void **state)
{
    char hash[PC_REFRESH_HASH_LEN], grant[37];
    int64_t gen;
    char *tok = pc_refresh_token_make(TENANT, GRANT, 3, hash);

    (void)state;
    assert_false(pc_refresh_token_open("tenant-b", tok, grant, &gen, hash));
    /* The tenant id is NUL-terminated in the MAC: a prefix is another tenant. */
    assert_false(pc_refresh_token_open("tenant-", tok, grant, &gen, hash));
    srv.refresh_key[0] ^= 1;
    assert_false(pc_refresh_token_open(TENANT, tok, grant, &gen, hash));
    srv.refresh_key[0] ^= 1;
    assert_true(pc_refresh_token_open(TENANT, tok, grant, &gen, hash));
    free(tok);
}

static void garbage_is_refused(void **state)
{
    char hash[PC_REFRESH_HASH_LEN], grant[37];
    int64_t gen;
    const char *bad[] = {"", "x", "A", "not a token at all",
                         /* 96 characters, but not base64url */
                         "********************************************************************"
                         "****************************"};

    (void)state;
    assert_false(pc_refresh_token_open(TENANT, NULL, grant, &gen, hash));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(pc_refresh_token_open(TENANT, bad[i], grant, &gen, hash));
}

static void only_uuids_and_non_negative_generations_make_tokens(void **state)
{
    char hash[PC_REFRESH_HASH_LEN];

    (void)state;
    assert_null(pc_refresh_token_make(TENANT, "not-a-uuid", 0, hash));
    assert_null(pc_refresh_token_make(TENANT, "01936f3e5b2a7c419d7e0123456789ab0000", 0, hash));
    assert_null(pc_refresh_token_make(TENANT, "01936f3e-5b2a-7c41-9d7e-0123456789zz", 0, hash));
    assert_null(pc_refresh_token_make(TENANT, GRANT, -1, hash));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(each_token_has_its_own_secret),
        cmocka_unit_test(large_generations_survive),
        cmocka_unit_test(every_altered_character_is_refused),
        cmocka_unit_test(another_tenant_or_key_cannot_open_it),
        cmocka_unit_test(garbage_is_refused),
        cmocka_unit_test(only_uuids_and_non_negative_generations_make_tokens),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
