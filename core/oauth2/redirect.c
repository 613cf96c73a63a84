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
