/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes PKCE checks (core/oauth2/pkce.c, RFC 7636): input "<code_verifier>\n<code_challenge>",
 * as the token and authorization endpoints receive them.
 */
#include "fuzz_support.h"
#include "oauth2/pkce.h"

/* RFC 7636 §4.1, written independently of the code under test. */
static int verifier_ok(const char *v)
{
    size_t n = strlen(v);

    return n >= 43 && n <= 128 &&
           strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == n;
}

static int challenge_ok(const char *c)
{
    return strlen(c) == 43 &&
           strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines in;
    const char *verifier, *challenge;
    pc_status rc;

    fuzz_lines_split(&in, data, size);
    verifier = fuzz_line(&in, 0, "");
    challenge = fuzz_line(&in, 1, "");
    FUZZ_ASSERT(pc_oauth2_pkce_verifier_valid(verifier) == verifier_ok(verifier));
    FUZZ_ASSERT(pc_oauth2_pkce_challenge_valid(challenge) == challenge_ok(challenge));
    rc = pc_oauth2_pkce_verify(challenge, verifier);
    if (!verifier_ok(verifier) || !challenge_ok(challenge)) {
        FUZZ_ASSERT(rc == PC_ERR_INVALID);
    } else {
        /* §4.6: the challenge of a well-formed verifier matches it, and only it. */
        char *s256 = pc_oauth2_pkce_s256(verifier);
        FUZZ_ASSERT(challenge_ok(s256));
        FUZZ_ASSERT(pc_oauth2_pkce_verify(s256, verifier) == PC_OK);
        FUZZ_ASSERT((rc == PC_OK) == (strcmp(s256, challenge) == 0));
        FUZZ_ASSERT(rc == PC_OK || rc == PC_ERR_DENIED);
        free(s256);
    }
    fuzz_lines_free(&in);
    return 0;
}
