/* SPDX-License-Identifier: Apache-2.0 */
/* PKCE (RFC 7636): S256 challenges and their verifiers; `plain` is never accepted. */
#include "oauth2/pkce.h"
#include "util/crypto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* RFC 3986 §2.3 unreserved characters. */
static int unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

int pc_oauth2_pkce_verifier_valid(const char *verifier)
{
    size_t n = verifier ? strlen(verifier) : 0;

    if (n < 43 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!unreserved(verifier[i]))
            return 0;
    return 1;
}

int pc_oauth2_pkce_challenge_valid(const char *challenge)
{
    if (challenge == NULL || strlen(challenge) != 43)
        return 0;
    for (size_t i = 0; i < 43; i++)
        if (!b64url_char(challenge[i]))
            return 0;
    return 1;
}

char *pc_oauth2_pkce_s256(const char *verifier)
{
    uint8_t digest[32];

    pc_sha256(verifier, strlen(verifier), digest);
    return pc_b64url_encode(digest, sizeof digest);
}

pc_status pc_oauth2_pkce_verify(const char *challenge, const char *verifier)
{
    char *computed;
    int ok;

    if (!pc_oauth2_pkce_verifier_valid(verifier) || !pc_oauth2_pkce_challenge_valid(challenge))
        return PC_ERR_INVALID;
    /* RFC 7636 §4.6: code_challenge == BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) */
    computed = pc_oauth2_pkce_s256(verifier);
    ok = pc_ct_streq(computed, challenge);
    free(computed);
    return ok ? PC_OK : PC_ERR_DENIED;
}
