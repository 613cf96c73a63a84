/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes refresh-token decoding (core/oauth2/refresh_token.c) as the token endpoint meets it.
 * Input: "<refresh_token>[\n<tenant id>]". The harness's refresh key is gen_seeds.c's, so the
 * seeds open; a token opens only with its grant, generation and secret intact.
 */
#include "fuzz_support.h"
#include "oauth2/refresh_token.h"
#include "server/server.h"

#include <ctype.h>
#include <strings.h>

static pc_server srv;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memset(srv.refresh_key, FUZZ_KEY_BYTE, sizeof srv.refresh_key);
    pc_srv = &srv;
    return 0;
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return s[n] == '\0';
}

/* What an opened token yields is well formed, and a new token of it opens to the same. */
static void check_opened(const char *tenant, const char *grant, int64_t gen, const char *hash)
{
    char hash2[PC_REFRESH_HASH_LEN], hash3[PC_REFRESH_HASH_LEN], grant2[37];
    int64_t gen2 = -1;
    char *again;

    FUZZ_ASSERT(strlen(grant) == 36 && gen >= 0 && is_hex(hash, 64));
    again = pc_refresh_token_make(tenant, grant, gen, hash2);
    FUZZ_ASSERT(again != NULL);
    FUZZ_ASSERT(pc_refresh_token_open(tenant, again, grant2, &gen2, hash3));
    FUZZ_ASSERT(strcmp(grant2, grant) == 0 && gen2 == gen && strcmp(hash2, hash3) == 0);
    free(again);
}

/* The grant id read as a UUID for a new token: any it accepts must come back unchanged. */
static void check_make(const char *tenant, const char *grant_id)
{
    char hash[PC_REFRESH_HASH_LEN], hash2[PC_REFRESH_HASH_LEN], grant[37];
    int64_t gen = -1;
    char *tok = pc_refresh_token_make(tenant, grant_id, 7, hash);

    if (tok == NULL)
        return;
    FUZZ_ASSERT(pc_refresh_token_open(tenant, tok, grant, &gen, hash2));
    FUZZ_ASSERT(strcasecmp(grant, grant_id) == 0 && gen == 7 && strcmp(hash, hash2) == 0);
    free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines in;
    char grant[37], hash[PC_REFRESH_HASH_LEN];
    int64_t gen = -1;
    const char *token, *tenant;

    fuzz_lines_split(&in, data, size);
    token = fuzz_line(&in, 0, "");
    tenant = fuzz_line(&in, 1, FUZZ_TENANT_ID);
    if (pc_refresh_token_open(tenant, token, grant, &gen, hash))
        check_opened(tenant, grant, gen, hash);
    check_make(tenant, token);
    fuzz_lines_free(&in);
    return 0;
}
