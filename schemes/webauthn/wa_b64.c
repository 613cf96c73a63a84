/* SPDX-License-Identifier: Apache-2.0 */
/* base64url without padding (RFC 4648 §5), as WebAuthn's JSON forms carry binary values. */
#include "wa_b64.h"

#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *wa_b64url_encode(const uint8_t *p, size_t n)
{
    char *out = malloc(n / 3 * 4 + 5), *w = out;
    size_t i;

    if (out == NULL)
        return NULL;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *w++ = alphabet[v >> 18 & 63];
        *w++ = alphabet[v >> 12 & 63];
        *w++ = alphabet[v >> 6 & 63];
        *w++ = alphabet[v & 63];
    }
    if (n - i == 1) {
        *w++ = alphabet[p[i] >> 2];
        *w++ = alphabet[(p[i] & 3) << 4];
    } else if (n - i == 2) {
        *w++ = alphabet[p[i] >> 2];
        *w++ = alphabet[(p[i] & 3) << 4 | p[i + 1] >> 4];
        *w++ = alphabet[(p[i + 1] & 15) << 2];
    }
    *w = '\0';
    return out;
}

static int value_of(char c)
{
    const char *at = c != '\0' ? strchr(alphabet, c) : NULL;

    return at != NULL ? (int)(at - alphabet) : -1;
}

int wa_b64url_decode(const char *s, size_t max, uint8_t **out, size_t *n)
{
    size_t len = s != NULL ? strlen(s) : 0, o = 0;
    uint32_t acc = 0;
    int bits = 0;
    uint8_t *buf;

    *out = NULL;
    *n = 0;
    /* A length of 1 mod 4 cannot come from any byte string. */
    if (s == NULL || len % 4 == 1 || len / 4 * 3 + 2 > max + 2)
        return -1;
    buf = malloc(len / 4 * 3 + 3);
    if (buf == NULL)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int v = value_of(s[i]);
        if (v < 0) {
            free(buf);
            return -1;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Leftover bits must be zero (canonical encoding). */
    if (o > max || (acc & ((1u << bits) - 1)) != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *n = o;
    return 0;
}
