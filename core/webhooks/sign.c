/* SPDX-License-Identifier: Apache-2.0 */
/* Standard Webhooks signing: whsec_ secrets, sealed at rest, and v1 HMAC-SHA256 signatures. */
#include "webhooks/webhooks.h"
#include "server/server.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_BYTES 24
#define PREFIX "whsec_"

/* Standard base64 (with padding) from the one base64url codec. */
static char *b64_std(const void *data, size_t len)
{
    char *url = pc_b64url_encode(data, len);
    size_t n = strlen(url), pad = (4 - n % 4) % 4;
    char *out = pc_malloc(n + pad + 1);

    for (size_t i = 0; i < n; i++)
        out[i] = url[i] == '-' ? '+' : url[i] == '_' ? '/' : url[i];
    memset(out + n, '=', pad);
    out[n + pad] = '\0';
    free(url);
    return out;
}

/* The key bytes of a whsec_ secret (standard base64 after the prefix); *key is new. */
static pc_status secret_key(const char *secret, uint8_t **key, size_t *len)
{
    const char *b = strncmp(secret, PREFIX, strlen(PREFIX)) == 0 ? secret + strlen(PREFIX) : secret;
    char *url = pc_strdup(b);
    pc_status rc;

    for (char *p = url; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    rc = pc_b64url_decode(url, strlen(url), key, len);
    free(url);
    return rc;
}

char *pc_webhook_secret_new(void)
{
    uint8_t raw[SECRET_BYTES];
    char *b, *s;

    if (pc_random(raw, sizeof raw) != PC_OK)
        return NULL;
    b = b64_std(raw, sizeof raw);
    s = pc_asprintf(PREFIX "%s", b);
    free(b);
    return s;
}

char *pc_webhook_secret_seal(const char *id, const char *secret)
{
    char *sealed = NULL;

    if (pc_seal(pc_srv->master_key, id, secret, strlen(secret), &sealed) != PC_OK)
        return NULL;
    return sealed;
}

char *pc_webhook_secret_open(const json_t *webhook, const char *column)
{
    const char *sealed = json_string_value(json_object_get(webhook, column));
    const char *id = json_string_value(json_object_get(webhook, "id"));
    uint8_t *plain = NULL;
    size_t len;

    if (sealed == NULL || id == NULL ||
        pc_unseal(pc_srv->master_key, id, sealed, &plain, &len) != PC_OK)
        return NULL;
    return (char *)plain;
}

/* "v1," + base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}"), or NULL. */
static char *sign_one(const char *secret, const char *id, long long timestamp, const char *body,
                      size_t body_len)
{
    uint8_t *key = NULL, mac[32];
    size_t key_len = 0;
    char *head = pc_asprintf("%s.%lld.", id, timestamp), *b, *out = NULL;
    size_t head_len = strlen(head);
    char *msg = pc_malloc(head_len + body_len + 1);

    memcpy(msg, head, head_len);
    memcpy(msg + head_len, body, body_len);
    if (secret_key(secret, &key, &key_len) == PC_OK &&
        gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, msg, head_len + body_len, mac) == 0) {
        b = b64_std(mac, sizeof mac);
        out = pc_asprintf("v1,%s", b);
        free(b);
    }
    free(key);
    free(head);
    free(msg);
    return out;
}

char *pc_webhook_signature(const char *const *secrets, const char *id, long long timestamp,
                           const char *body, size_t body_len)
{
    char *all = NULL;

    for (size_t i = 0; secrets[i] != NULL; i++) {
        char *one = sign_one(secrets[i], id, timestamp, body, body_len), *next;
        if (one == NULL)
            continue;
        /* Standard Webhooks: several signatures are separated by spaces. */
        next = all ? pc_asprintf("%s %s", all, one) : pc_strdup(one);
        free(all);
        free(one);
        all = next;
    }
    return all;
}
