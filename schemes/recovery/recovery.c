/* SPDX-License-Identifier: Apache-2.0 */
/* Recovery codes: ten single-use codes per generation, shown once, stored as argon2id hashes, lockable. */
#include "scheme_util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CODE_CHARS 12 /* 60 bits: 12 characters of a 32-letter alphabet */
#define MAX_CODES 20

/* Crockford's base32, lower case: no i, l, o or u to misread. */
static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
static const pc_host *host;

static pc_status init(const pc_host *h, const json_t *config, void **state)
{
    (void)config;
    host = h;
    *state = NULL;
    return PC_OK;
}

/* "xxxx-xxxx-xxxx" into out[15]; *plain gets the 12 characters that are hashed. */
static pc_status new_code(char out[15], char plain[CODE_CHARS + 1])
{
    uint8_t r[CODE_CHARS];

    if (host->random(r, sizeof r) != PC_OK)
        return PC_ERR_INTERNAL;
    for (int i = 0, w = 0; i < CODE_CHARS; i++) {
        plain[i] = alphabet[r[i] & 31];
        if (i > 0 && i % 4 == 0)
            out[w++] = '-';
        out[w++] = plain[i];
    }
    plain[CODE_CHARS] = '\0';
    out[14] = '\0';
    return PC_OK;
}

/* What the person typed, as hashed: lower case, without separators, misreadings mapped. */
static int normalise(const char *in, char out[CODE_CHARS + 1])
{
    int n = 0;

    for (const char *c = in; c != NULL && *c; c++) {
        char ch = (char)tolower((unsigned char)*c);
        if (ch == '-' || ch == ' ')
            continue;
        ch = ch == 'o' ? '0' : (ch == 'i' || ch == 'l') ? '1' : ch;
        if (n == CODE_CHARS || strchr(alphabet, ch) == NULL || ch == '\0')
            return 0;
        out[n++] = ch;
    }
    out[n] = '\0';
    return n == CODE_CHARS;
}

static pc_status enrol(void *state, const pc_scheme_call *call, pc_factor *f, const json_t *input,
                       json_t **reply)
{
    int count = (int)scheme_setting_int(call, "count", 10, 5, MAX_CODES);
    json_t *hashes = json_array(), *codes = json_array();
    char shown[15], plain[CODE_CHARS + 1], *hash;

    (void)state;
    (void)input;
    for (int i = 0; i < count; i++) {
        if (new_code(shown, plain) != PC_OK || host->password_hash(plain, &hash) != PC_OK) {
            json_decref(hashes);
            json_decref(codes);
            return PC_ERR_INTERNAL;
        }
        json_array_append_new(hashes, json_string(hash));
        json_array_append_new(codes, json_string(shown));
        host->free(hash);
    }
    memset(plain, 0, sizeof plain);
    /* A new generation: the old codes die, and so does a lockout. */
    json_object_clear(f->data);
    json_object_set_new(f->data, "codes", hashes);
    json_object_set_new(f->data, "remaining", json_integer(count));
    *reply = json_pack("{s:o}", "codes", codes);
    return PC_OK;
}

/* Count a wrong code; the fifth in the window locks recovery (audited). */
static void wrong_code(const pc_scheme_call *call, json_t *data)
{
    int64_t now = host->now(), window = scheme_setting_int(call, "failure_window", 900, 60, 86400);
    int64_t limit = scheme_setting_int(call, "max_failures", 5, 1, 100);
    json_t *recent = json_array(), *t;
    size_t i;

    json_array_foreach (json_object_get(data, "failures"), i, t)
        if (json_integer_value(t) > now - window)
            json_array_append(recent, t);
    json_array_append_new(recent, json_integer(now));
    if ((int64_t)json_array_size(recent) >= limit) {
        int64_t until = now + scheme_setting_int(call, "lock_seconds", 3600, 60, 86400);
        json_t *details = json_pack("{s:I,s:I}", "failures", (json_int_t)json_array_size(recent),
                                    "locked_until", (json_int_t)until);
        json_object_set_new(data, "locked_until", json_integer(until));
        json_array_clear(recent);
        scheme_audit(call, "recovery.locked", details);
        json_decref(details);
    }
    json_object_set_new(data, "failures", recent);
}

static pc_status verify(void *state, const pc_scheme_call *call, pc_factor *f, const char *code)
{
    json_t *codes = json_object_get(f->data, "codes"), *h;
    char plain[CODE_CHARS + 1];
    int ok = 0;
    size_t i;

    (void)state;
    if (json_integer_value(json_object_get(f->data, "locked_until")) > host->now())
        return PC_ERR_LIMIT;
    if (normalise(code, plain)) {
        json_array_foreach (codes, i, h) {
            if (json_is_string(h) && host->password_verify(json_string_value(h), plain) == PC_OK) {
                json_array_set_new(codes, i, json_null()); /* single use */
                ok = 1;
                break;
            }
        }
    }
    memset(plain, 0, sizeof plain);
    if (!ok) {
        wrong_code(call, f->data);
        return PC_ERR_DENIED;
    }
    json_object_set_new(
        f->data, "remaining",
        json_integer(json_integer_value(json_object_get(f->data, "remaining")) - 1));
    json_object_del(f->data, "failures");
    return PC_OK;
}

static const pc_scheme_ops ops = {
    .base = PC_PLUGIN_BASE(
        pc_scheme_ops, PC_KIND_SCHEME, "recovery", "1.0.0",
        "Single-use recovery codes (argon2id at rest), for when other factors are lost", init,
        NULL),
    .method = "recovery_code",
    .amr = "otp",
    .enrol = enrol,
    .challenge = NULL,
    .verify = verify,
    .channel = NULL,
    .enrol_activates = 1,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
