/* SPDX-License-Identifier: Apache-2.0 */
/* One-time codes sent by a provider (email, SMS): random, hashed at rest, single use, expiring, throttled. */
#include "code_scheme.h"
#include "scheme_util.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const pc_host *host;

void code_scheme_init(const pc_host *h)
{
    host = h;
}

typedef struct code_settings {
    int digits;
    int64_t ttl, max_attempts, resend;
} code_settings;

static void settings_of(const pc_scheme_call *call, code_settings *s)
{
    s->digits = (int)scheme_setting_int(call, "digits", 6, 6, 10);
    s->ttl = scheme_setting_int(call, "ttl", 300, 60, 3600);
    s->max_attempts = scheme_setting_int(call, "max_attempts", 5, 1, 10);
    s->resend = scheme_setting_int(call, "resend_interval", 30, 0, 3600);
}

/* A uniformly random code of `digits` digits (rejection sampling, no modulo bias). */
static pc_status random_code(int digits, char *out, size_t len)
{
    for (int i = 0; i < digits && (size_t)i + 1 < len; i++) {
        uint8_t b;
        do {
            if (host->random(&b, 1) != PC_OK)
                return PC_ERR_INTERNAL;
        } while (b >= 250);
        out[i] = (char)('0' + b % 10);
    }
    out[digits] = '\0';
    return PC_OK;
}

/* hex(SHA-256(salt ":" code)) into out[65]. */
static pc_status code_hash(const char *salt, const char *code, char out[65])
{
    char buf[160];
    uint8_t d[32];
    int n = snprintf(buf, sizeof buf, "%s:%s", salt, code);

    if (n < 0 || (size_t)n >= sizeof buf ||
        gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, (size_t)n, d) != 0)
        return PC_ERR_CRYPTO;
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    memset(buf, 0, sizeof buf);
    return PC_OK;
}

static int same(const char *a, const char *b)
{
    size_t n = strlen(a);
    unsigned char diff = n != strlen(b);

    for (size_t i = 0; i < n && b[i]; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* Append n bytes to a growing string; NULL (and *out freed) when memory runs out. */
static char *append(char *out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (out != NULL && *len + n + 1 > *cap) {
        char *bigger = realloc(out, *cap = (*len + n + 1) * 2);
        if (bigger == NULL)
            free(out);
        out = bigger;
    }
    if (out != NULL) {
        memcpy(out + *len, s, n);
        *len += n;
        out[*len] = '\0';
    }
    return out;
}

char *code_render(const char *tpl, const json_t *vars)
{
    size_t cap = strlen(tpl) + 64, len = 0;
    char *out = malloc(cap);

    if (out != NULL)
        out[0] = '\0';
    for (const char *p = tpl; out != NULL && *p;) {
        const char *end = strncmp(p, "{{", 2) == 0 ? strstr(p + 2, "}}") : NULL;
        char key[32];
        const char *v;
        if (end == NULL || (size_t)(end - p - 2) >= sizeof key) {
            out = append(out, &len, &cap, p++, 1);
            continue;
        }
        memcpy(key, p + 2, (size_t)(end - p - 2));
        key[end - p - 2] = '\0';
        v = json_string_value(json_object_get(vars, key));
        out = append(out, &len, &cap, v ? v : "", v ? strlen(v) : 0);
        p = end + 2;
    }
    return out;
}

/* Render the tenant's wording (settings "subject"/"text") and hand the message to the provider. */
static pc_status send_code(const code_scheme *cs, const pc_scheme_call *call, const char *to,
                           const char *code, const code_settings *s)
{
    char minutes[24], *subject = NULL, *text;
    json_t *vars;
    pc_status rc;

    snprintf(minutes, sizeof minutes, "%lld", (long long)((s->ttl + 59) / 60));
    vars = json_pack("{s:s,s:s,s:s}", "code", code, "minutes", minutes, "tenant",
                     scheme_tenant_name(call, ""));
    /* A tenant name that is not UTF-8 leaves no variables: send nothing rather than a message
     * without its code. */
    if (vars == NULL)
        return PC_ERR_INTERNAL;
    text = code_render(scheme_setting_str(call, "text", cs->default_text), vars);
    if (cs->default_subject != NULL)
        subject = code_render(scheme_setting_str(call, "subject", cs->default_subject), vars);
    if (text == NULL) {
        rc = PC_ERR_INTERNAL;
    } else if (PC_HAS_MEMBER(call, pc_scheme_call, deliver_message) && call->deliver_message) {
        pc_message m = {.to = to, .subject = subject, .text = text, .vars = vars};
        rc = call->deliver_message(call->ctx, &m);
    } else {
        rc = call->deliver(call->ctx, to, subject, text);
    }
    if (text != NULL)
        memset(text, 0, strlen(text));
    free(text);
    free(subject);
    json_decref(vars);
    return rc;
}

/* One per resend interval: PC_ERR_LIMIT if the last code went out too recently. */
static pc_status resend_allowed(const pc_factor *f, const code_settings *s)
{
    json_t *sent = json_object_get(f->data, "sent_at");

    if (json_is_integer(sent) && host->now() - json_integer_value(sent) < s->resend)
        return PC_ERR_LIMIT;
    return PC_OK;
}

/* Make a code, send it to `to`, and only then remember its hash. */
static pc_status issue(const code_scheme *cs, const pc_scheme_call *call, pc_factor *f,
                       const char *to)
{
    code_settings s;
    char code[16], salt_hex[33], hash[65];
    uint8_t salt[16];
    pc_status rc;

    settings_of(call, &s);
    if ((rc = resend_allowed(f, &s)) != PC_OK)
        return rc;
    if (random_code(s.digits, code, sizeof code) != PC_OK ||
        host->random(salt, sizeof salt) != PC_OK)
        return PC_ERR_INTERNAL;
    for (int i = 0; i < 16; i++)
        snprintf(salt_hex + 2 * i, 3, "%02x", salt[i]);
    rc = code_hash(salt_hex, code, hash);
    if (rc == PC_OK)
        rc = send_code(cs, call, to, code, &s);
    memset(code, 0, sizeof code);
    if (rc != PC_OK)
        return rc;
    json_object_set_new(f->data, "code_hash", json_string(hash));
    json_object_set_new(f->data, "salt", json_string(salt_hex));
    json_object_set_new(f->data, "expires_at", json_integer(host->now() + s.ttl));
    json_object_set_new(f->data, "attempts", json_integer(0));
    json_object_set_new(f->data, "sent_at", json_integer(host->now()));
    return PC_OK;
}

pc_status code_enrol(const code_scheme *cs, const pc_scheme_call *call, pc_factor *f,
                     const json_t *input, json_t **reply)
{
    const char *to = json_string_value(json_object_get(input, cs->dest_field));
    pc_status rc;

    if (to == NULL || !cs->dest_valid(to)) {
        *reply = json_pack("{s:s}", cs->dest_field, cs->dest_problem);
        return PC_ERR_INVALID;
    }
    rc = issue(cs, call, f, to);
    /* The destination counts only once a code sent there has come back (verify). */
    if (rc == PC_OK)
        json_object_set_new(f->data, "pending_to", json_string(to));
    return rc;
}

pc_status code_challenge(const code_scheme *cs, const pc_scheme_call *call, pc_factor *f)
{
    const char *to = json_string_value(json_object_get(f->data, "to"));

    if (to == NULL)
        return PC_ERR_INVALID;
    return issue(cs, call, f, to);
}

static void forget_code(json_t *data)
{
    json_object_del(data, "code_hash");
    json_object_del(data, "salt");
    json_object_del(data, "expires_at");
    json_object_del(data, "attempts");
}

pc_status code_verify(const code_scheme *cs, const pc_scheme_call *call, pc_factor *f,
                      const char *code)
{
    const char *want = json_string_value(json_object_get(f->data, "code_hash"));
    const char *salt = json_string_value(json_object_get(f->data, "salt"));
    json_int_t attempts = json_integer_value(json_object_get(f->data, "attempts"));
    char got[65];
    code_settings s;

    (void)cs;
    settings_of(call, &s);
    if (want == NULL || salt == NULL || code == NULL || strlen(code) > 32 ||
        json_integer_value(json_object_get(f->data, "expires_at")) <= host->now())
        return PC_ERR_DENIED;
    if (code_hash(salt, code, got) != PC_OK || !same(got, want)) {
        json_object_set_new(f->data, "attempts", json_integer(attempts + 1));
        /* Too many wrong tries: this code is dead, a new one must be sent. */
        if (attempts + 1 >= s.max_attempts)
            forget_code(f->data);
        return PC_ERR_DENIED;
    }
    forget_code(f->data);
    json_object_del(f->data, "sent_at"); /* used up: the next code may be asked for at once */
    if (json_is_string(json_object_get(f->data, "pending_to"))) {
        json_object_set(f->data, "to", json_object_get(f->data, "pending_to"));
        json_object_del(f->data, "pending_to");
    }
    return PC_OK;
}

pc_status code_scheme_start(const code_scheme *cs, const pc_host *h, void **state)
{
    code_scheme_init(h);
    *state = (void *)cs;
    return PC_OK;
}

pc_status code_scheme_enrol_op(void *state, const pc_scheme_call *call, pc_factor *f,
                               const json_t *input, json_t **reply)
{
    return code_enrol(state, call, f, input, reply);
}

pc_status code_scheme_challenge_op(void *state, const pc_scheme_call *call, pc_factor *f)
{
    return code_challenge(state, call, f);
}

pc_status code_scheme_verify_op(void *state, const pc_scheme_call *call, pc_factor *f,
                                const char *code)
{
    return code_verify(state, call, f, code);
}
