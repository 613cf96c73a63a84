/* SPDX-License-Identifier: Apache-2.0 */
/* TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA-1, and RFC 4648 base32. */
#include "totp_core.h"

#include <ctype.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <string.h>

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t totp_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits)
{
    uint8_t msg[8], mac[20];
    uint32_t bin;
    int64_t mod = 1;
    int off;

    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    if (gnutls_hmac_fast(GNUTLS_MAC_SHA1, key, key_len, msg, sizeof msg, mac) != 0)
        return -1;
    /* RFC 4226 §5.3: dynamic truncation */
    off = mac[19] & 0x0f;
    bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
          ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    for (int i = 0; i < digits; i++)
        mod *= 10;
    return (int64_t)bin % mod;
}

static int format_code(int64_t value, int digits, char *out, size_t out_len)
{
    int n;

    if (value < 0 || out_len < (size_t)digits + 1)
        return -1;
    n = snprintf(out, out_len, "%0*lld", digits, (long long)value);
    return n == digits ? 0 : -1;
}

int totp_code_at(const totp_params *p, const uint8_t *key, size_t key_len, int64_t now, char *out,
                 size_t out_len)
{
    /* RFC 6238 §4.2: T = floor((now - T0) / X), T0 = 0 */
    return format_code(totp_hotp(key, key_len, (uint64_t)(now / p->period), p->digits), p->digits,
                       out, out_len);
}

/* Constant-time comparison of two equal-length digit strings. */
static int same_code(const char *a, const char *b, size_t n)
{
    unsigned char diff = 0;

    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static int well_formed(const char *code, int digits)
{
    if (code == NULL || strlen(code) != (size_t)digits)
        return 0;
    for (const char *c = code; *c; c++)
        if (!isdigit((unsigned char)*c))
            return 0;
    return 1;
}

int totp_check(const totp_params *p, const uint8_t *key, size_t key_len, int64_t now,
               const char *code, int64_t last_step, int64_t *step)
{
    int64_t t = now / p->period;
    char want[16];
    int found = 0;

    if (p->period <= 0 || p->digits < 6 || p->digits > 8 || !well_formed(code, p->digits))
        return 0;
    /* Every candidate is computed, so that timing says nothing about which one matched. */
    for (int64_t s = t - TOTP_WINDOW; s <= t + TOTP_WINDOW; s++) {
        if (s < 0 || format_code(totp_hotp(key, key_len, (uint64_t)s, p->digits), p->digits, want,
                                 sizeof want) != 0)
            continue;
        if (same_code(want, code, (size_t)p->digits) && s > last_step && !found) {
            *step = s;
            found = 1;
        }
    }
    return found;
}

int totp_base32_encode(const uint8_t *in, size_t len, char *out, size_t out_len)
{
    size_t n = 0;
    uint32_t buffer = 0;
    int bits = 0;

    for (size_t i = 0; i < len; i++) {
        buffer = (buffer << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            if (n + 1 >= out_len)
                return -1;
            out[n++] = b32_alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) {
        if (n + 1 >= out_len)
            return -1;
        out[n++] = b32_alphabet[(buffer << (5 - bits)) & 31];
    }
    out[n] = '\0';
    return (int)n;
}

int totp_base32_decode(const char *in, uint8_t *out, size_t out_len)
{
    uint32_t buffer = 0;
    int bits = 0;
    size_t n = 0;

    for (const char *c = in; *c; c++) {
        const char *pos;
        if (*c == '=' || *c == ' ')
            continue;
        pos = strchr(b32_alphabet, toupper((unsigned char)*c));
        if (pos == NULL || *c == '\0')
            return -1;
        buffer = (buffer << 5) | (uint32_t)(pos - b32_alphabet);
        bits += 5;
        if (bits >= 8) {
            if (n >= out_len)
                return -1;
            out[n++] = (uint8_t)((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return (int)n;
}
