/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes redirect-URI handling (core/oauth2/redirect.c): exact matching against the
 * registrations, building the redirect with percent-encoded parameters, and origins.
 * Input lines: the redirect_uri sent, then registered URIs (also used as parameter values).
 */
#include "fuzz_support.h"
#include "oauth2/redirect.h"

#include <ctype.h>
#include <strings.h>

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* Decode `n` bytes of what pc_url_encode writes, checking it wrote nothing else. */
static char *url_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *w = out;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            FUZZ_ASSERT(i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0);
            *w++ = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
            i += 2;
            continue;
        }
        FUZZ_ASSERT(isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~');
        *w++ = (char)c;
    }
    *w = '\0';
    return out;
}

static void check_encode(const char *value)
{
    char *enc = pc_url_encode(value), *dec = url_decode(enc, strlen(enc));

    FUZZ_ASSERT(strcmp(dec, value) == 0);
    free(enc);
    free(dec);
}

/* RFC 6749 §4.1.2: the URI's own query kept, each parameter appended encoded. */
static void check_redirect_with(const char *uri, const char *code, const char *state)
{
    const char *pairs[] = {"code", code, "error", NULL, "state", state, NULL};
    char *out = pc_redirect_with(uri, pairs), *dec;
    const char *p = out + strlen(uri), *amp;

    FUZZ_ASSERT(strncmp(out, uri, strlen(uri)) == 0);
    FUZZ_ASSERT(*p == (strchr(uri, '?') ? '&' : '?'));
    FUZZ_ASSERT(strncmp(p + 1, "code=", 5) == 0);
    amp = strchr(p + 6, '&');
    FUZZ_ASSERT(amp != NULL && strncmp(amp, "&state=", 7) == 0);
    dec = url_decode(p + 6, (size_t)(amp - p - 6));
    FUZZ_ASSERT(strcmp(dec, code) == 0);
    free(dec);
    dec = url_decode(amp + 7, strlen(amp + 7));
    FUZZ_ASSERT(strcmp(dec, state) == 0);
    free(dec);
    free(out);
}

static void check_origin(const char *uri, size_t len)
{
    char buf[256];
    size_t n;

    if (!pc_redirect_origin(uri, buf, len))
        return;
    n = strlen(buf);
    FUZZ_ASSERT(n < len && strncasecmp(buf, uri, n) == 0);
    FUZZ_ASSERT(strncmp(buf, "https://", 8) == 0 || strncmp(buf, "http://", 7) == 0);
    FUZZ_ASSERT(strpbrk(strstr(buf, "://") + 3, "@/?#") == NULL);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT(!isupper((unsigned char)buf[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines in;
    json_t *registered = json_array();
    const char *uri;
    int expect = 0;

    fuzz_lines_split(&in, data, size);
    uri = fuzz_line(&in, 0, "");
    for (size_t i = 1; i < in.n; i++) {
        json_t *s = json_string(in.line[i]); /* NULL if not UTF-8, as a stored record never is */
        if (s == NULL)
            break;
        json_array_append_new(registered, s);
        expect |= strcmp(in.line[i], uri) == 0;
    }
    /* Simple string comparison (RFC 3986 §6.2.1): nothing but an identical string matches. */
    FUZZ_ASSERT(pc_redirect_uri_registered(registered, uri) == (expect && *uri != '\0'));
    check_encode(uri);
    check_redirect_with(uri, fuzz_line(&in, 1, ""), fuzz_line(&in, 2, "xyz"));
    check_origin(uri, 256);
    check_origin(uri, size % 40 + 1);
    json_decref(registered);
    fuzz_lines_free(&in);
    return 0;
}
