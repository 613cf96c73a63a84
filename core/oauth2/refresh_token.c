/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Refresh tokens are base64url(grant[16] || generation[8] || secret[32] ||
 * mac[16]): the grant's UUID, the generation as a big-endian integer, 256
 * random bits, and HMAC-SHA256 (truncated to 128 bits) of the tenant id and
 * all three under a key derived from the master key.
 *
 * The store keeps one record per grant with the generation of its one valid
 * token and the SHA-256 of that token's secret, so a refresh rewrites one
 * record instead of adding one. The MAC lets an earlier token of the grant
 * be told from noise without storing it: sent again, it is a replay. A
 * stolen database yields no token.
 */
#include "oauth2/refresh_token.h"
#include "server/server.h"
#include "util/crypto.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UUID_BYTES 16
#define GEN_BYTES 8
#define SECRET_BYTES 32
#define MAC_BYTES 16
#define BODY_BYTES (UUID_BYTES + GEN_BYTES + SECRET_BYTES)
#define TOKEN_BYTES (BODY_BYTES + MAC_BYTES)
#define TOKEN_CHARS 96 /* base64url of 72 bytes */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" -> 16 bytes; 0 if malformed. */
static int uuid_parse(const char *s, uint8_t out[UUID_BYTES])
{
    size_t n = 0;

    if (s == NULL || strlen(s) != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
            continue;
        }
        int hi = hex_digit(s[i]), lo = i + 1 < 36 ? hex_digit(s[i + 1]) : -1;
        if (hi < 0 || lo < 0)
            return 0;
        out[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return n == UUID_BYTES;
}

static void uuid_format(const uint8_t b[UUID_BYTES], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* 0 if the MAC could not be computed (out is then unusable). */
static int mac(const char *tenant_id, const uint8_t body[BODY_BYTES], uint8_t out[MAC_BYTES])
{
    uint8_t full[32];
    gnutls_hmac_hd_t h;

    if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, pc_srv->refresh_key, sizeof pc_srv->refresh_key) <
        0)
        return 0;
    /* The NUL ends the tenant id, so the fields cannot be shifted into each other. */
    int ok = gnutls_hmac(h, tenant_id, strlen(tenant_id) + 1) == 0 &&
             gnutls_hmac(h, body, BODY_BYTES) == 0;
    gnutls_hmac_deinit(h, full);
    memcpy(out, full, MAC_BYTES);
    return ok;
}

static void secret_hash_hex(const uint8_t secret[SECRET_BYTES], char out[PC_REFRESH_HASH_LEN])
{
    uint8_t digest[32];

    pc_sha256(secret, SECRET_BYTES, digest);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

char *pc_refresh_token_make(const char *tenant_id, const char *grant_id, int64_t generation,
                            char secret_hash[PC_REFRESH_HASH_LEN])
{
    uint8_t raw[TOKEN_BYTES];
    char *token = NULL;

    if (generation < 0 || !uuid_parse(grant_id, raw))
        return NULL;
    for (int i = 0; i < GEN_BYTES; i++)
        raw[UUID_BYTES + i] = (uint8_t)((uint64_t)generation >> (8 * (GEN_BYTES - 1 - i)));
    if (pc_random(raw + UUID_BYTES + GEN_BYTES, SECRET_BYTES) == PC_OK &&
        mac(tenant_id, raw, raw + BODY_BYTES)) {
        secret_hash_hex(raw + UUID_BYTES + GEN_BYTES, secret_hash);
        token = pc_b64url_encode(raw, sizeof raw);
    }
    gnutls_memset(raw, 0, sizeof raw);
    return token;
}

int pc_refresh_token_open(const char *tenant_id, const char *token, char grant_id[37],
                          int64_t *generation, char secret_hash[PC_REFRESH_HASH_LEN])
{
    uint8_t *raw = NULL, want[MAC_BYTES];
    size_t len = 0;
    uint64_t gen = 0;
    int ok;

    if (token == NULL || strlen(token) != TOKEN_CHARS ||
        pc_b64url_decode(token, TOKEN_CHARS, &raw, &len) != PC_OK || len != TOKEN_BYTES) {
        free(raw);
        return 0;
    }
    ok = mac(tenant_id, raw, want) && pc_ct_equal(want, MAC_BYTES, raw + BODY_BYTES, MAC_BYTES);
    for (int i = 0; i < GEN_BYTES; i++)
        gen = gen << 8 | raw[UUID_BYTES + i];
    ok = ok && gen <= INT64_MAX;
    if (ok) {
        uuid_format(raw, grant_id);
        *generation = (int64_t)gen;
        secret_hash_hex(raw + UUID_BYTES + GEN_BYTES, secret_hash);
    }
    gnutls_memset(raw, 0, len);
    free(raw);
    return ok;
}
