/* SPDX-License-Identifier: Apache-2.0 */
/* An RFC 5322 plain-text message: headers (RFC 2047 where needed) and a base64 UTF-8 body (RFC 2045). */
#include "smtp_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int smtp_header_safe(const char *s)
{
    return s != NULL && strlen(s) < 900 && strpbrk(s, "\r\n") == NULL;
}

/* base64 of in, lines of at most `wrap` characters joined by CRLF (0: one line). New string. */
static char *base64(const char *in, size_t len, size_t wrap)
{
    size_t out_len = (len + 2) / 3 * 4, lines = wrap ? out_len / wrap + 1 : 1;
    char *out = malloc(out_len + lines * 2 + 1), *w = out;
    size_t col = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)(unsigned char)in[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)in[i + 2];
        *w++ = b64[(v >> 18) & 63];
        *w++ = b64[(v >> 12) & 63];
        *w++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *w++ = i + 2 < len ? b64[v & 63] : '=';
        col += 4;
        if (wrap && col >= wrap && i + 3 < len) {
            *w++ = '\r';
            *w++ = '\n';
            col = 0;
        }
    }
    *w = '\0';
    return out;
}

static int ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

/* A header value: as is when printable ASCII, else an RFC 2047 encoded word. New string. */
static char *header_word(const char *s)
{
    char *enc, *out = NULL;

    if (ascii_printable(s))
        return strdup(s);
    enc = base64(s, strlen(s), 0);
    if (enc != NULL && asprintf(&out, "=?UTF-8?B?%s?=", enc) < 0)
        out = NULL;
    free(enc);
    return out;
}

/* The text with every line ending as CRLF (RFC 5322 §2.3). New string. */
static char *crlf_text(const char *text)
{
    char *out = malloc(strlen(text) * 2 + 3), *w = out;

    if (out == NULL)
        return NULL;
    for (const char *p = text; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n')
            *w++ = '\r';
        *w++ = *p;
    }
    *w = '\0';
    return out;
}

char *smtp_message_new(const char *from, const char *from_name, const char *to, const char *subject,
                       const char *text, int64_t now)
{
    char date[64], *subj = header_word(subject), *name = from_name ? header_word(from_name) : NULL;
    char *body_text = crlf_text(text),
         *body = body_text ? base64(body_text, strlen(body_text), 76) : NULL;
    char *msg = NULL;
    time_t t = (time_t)now;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    if (subj != NULL && body != NULL && smtp_header_safe(from) && smtp_header_safe(to) &&
        (from_name == NULL || name != NULL) &&
        asprintf(&msg,
                 "Date: %s\r\nFrom: %s%s<%s>\r\nTo: <%s>\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
                 "Auto-Submitted: auto-generated\r\n\r\n%s\r\n",
                 date, name ? name : "", name ? " " : "", from, to, subj, body) < 0)
        msg = NULL;
    if (body_text != NULL)
        memset(body_text, 0, strlen(body_text));
    free(body_text);
    free(body);
    free(subj);
    free(name);
    return msg;
}
