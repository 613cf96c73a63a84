/* SPDX-License-Identifier: Apache-2.0 */
/* Redirect URIs: exact matching against registrations, building redirects with parameters, origins. */
#include "oauth2/redirect.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int pc_redirect_uri_registered(const json_t *registered, const char *uri)
{
    size_t i;
    json_t *v;

    if (uri == NULL || *uri == '\0')
        return 0;
    /* Simple string comparison, no normalisation (RFC 3986 §6.2.1). */
    json_array_foreach (registered, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), uri) == 0)
            return 1;
    return 0;
}

/*
 * RFC 8252 §7.3: the length of a loopback URI's prefix up to its port
 * ("http://127.0.0.1" or "http://[::1]") and, in *rest, what follows the
 * port; 0 when `uri` is no loopback redirect.
 */
static size_t loopback_prefix(const char *uri, const char **rest)
{
    static const char *const hosts[] = {"http://127.0.0.1", "http://[::1]", NULL};

    for (size_t i = 0; hosts[i]; i++) {
        size_t n = strlen(hosts[i]);
        const char *p = uri + n;
        if (strncmp(uri, hosts[i], n) != 0)
            continue;
        if (*p == ':') {
            size_t digits = strspn(p + 1, "0123456789");
            if (digits == 0 || digits > 5)
                return 0;
            p += 1 + digits;
        }
        if (*p != '\0' && *p != '/' && *p != '?')
            return 0;
        *rest = p;
        return n;
    }
    return 0;
}

/* Do a and b differ at most by the port of a loopback host? */
static int same_but_loopback_port(const char *a, const char *b)
{
    const char *ra, *rb;
    size_t na = loopback_prefix(a, &ra), nb = loopback_prefix(b, &rb);

    return na > 0 && na == nb && strncmp(a, b, na) == 0 && strcmp(ra, rb) == 0;
}

int pc_redirect_uri_allowed(const json_t *registered, const char *uri)
{
    size_t i;
    json_t *v;

    if (uri == NULL || pc_redirect_uri_registered(registered, uri))
        return uri != NULL;
    /* RFC 8252 §7.3: a native app listens on whatever loopback port it got. */
    json_array_foreach (registered, i, v)
        if (json_is_string(v) && same_but_loopback_port(json_string_value(v), uri))
            return 1;
    return 0;
}

static int has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || *s == 0x7f)
            return 1;
    return 0;
}

/* An RFC 3986 §3.1 scheme ending at `colon`, with a '.' in it (RFC 8252 §7.1). */
static int private_use_scheme(const char *s, const char *colon)
{
    int dot = 0;

    if (colon == s || !isalpha((unsigned char)*s))
        return 0;
    for (const char *p = s; p < colon; p++) {
        if (*p == '.')
            dot = 1;
        else if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-')
            return 0;
    }
    return dot;
}

int pc_redirect_uri_valid(const char *s)
{
    const char *sep, *colon;

    /* RFC 6749 §3.1.2: absolute, no fragment; and no control characters or
     * spaces, since registered URIs end up in Location headers. */
    if (s == NULL || strchr(s, '#') != NULL || has_control_chars(s))
        return 0;
    sep = strstr(s, "://");
    if (sep != NULL && sep > s && sep[3] != '\0')
        return 1;
    /* RFC 8252 §7.1: a private-use scheme in reverse domain order, "com.example.app:/cb". */
    colon = strchr(s, ':');
    return colon != NULL && colon[1] == '/' && colon[2] != '/' && private_use_scheme(s, colon);
}

char *pc_url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = pc_malloc(strlen(s) * 3 + 1), *p = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            *p++ = (char)c;
            continue;
        }
        *p++ = '%';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 15];
    }
    *p = '\0';
    return out;
}

char *pc_redirect_with(const char *uri, const char *const *pairs)
{
    size_t len = strlen(uri) + 1;
    char *out, sep = strchr(uri, '?') ? '&' : '?';

    for (size_t i = 0; pairs[i] != NULL; i += 2)
        if (pairs[i + 1] != NULL)
            len += strlen(pairs[i]) + strlen(pairs[i + 1]) * 3 + 2;
    out = pc_malloc(len);
    strcpy(out, uri);
    for (size_t i = 0; pairs[i] != NULL; i += 2) {
        char *v;
        if (pairs[i + 1] == NULL)
            continue;
        v = pc_url_encode(pairs[i + 1]);
        snprintf(out + strlen(out), len - strlen(out), "%c%s=%s", sep, pairs[i], v);
        free(v);
        sep = '&';
    }
    return out;
}

int pc_redirect_origin(const char *uri, char *buf, size_t len)
{
    const char *host, *end;
    size_t n;

    if (uri == NULL)
        return 0;
    if (strncasecmp(uri, "https://", 8) == 0)
        host = uri + 8;
    else if (strncasecmp(uri, "http://", 7) == 0)
        host = uri + 7;
    else
        return 0;
    end = host + strcspn(host, "/?#");
    n = (size_t)(end - uri);
    if (end == host || n >= len || memchr(host, '@', (size_t)(end - host)) != NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)uri[i]);
    buf[n] = '\0';
    return 1;
}
