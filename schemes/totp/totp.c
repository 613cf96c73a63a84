/* SPDX-License-Identifier: Apache-2.0 */
/* The TOTP scheme (RFC 6238): enrolment with an otpauth:// URI and its QR code, replay-safe verification. */
#include "totp_core.h"
#include "qr_svg.h"
#include "scheme_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_BYTES 20 /* 160 bits, RFC 4226 §4 R6 recommends it */

static const pc_host *host;

static pc_status totp_init(const pc_host *h, const json_t *config, void **state)
{
    (void)config;
    host = h;
    *state = NULL;
    return PC_OK;
}

/* RFC 3986 percent-encoding of everything but the unreserved characters. */
static char *uri_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *w = out;

    if (out == NULL)
        return NULL;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c) != NULL) {
            *w++ = (char)*c;
        } else {
            *w++ = '%';
            *w++ = hex[*c >> 4];
            *w++ = hex[*c & 15];
        }
    }
    *w = '\0';
    return out;
}

/* otpauth://totp/Issuer:account?secret=...&issuer=... (the Key Uri Format of authenticator apps). */
static char *otpauth_uri(const char *issuer, const char *account, const char *secret,
                         const totp_params *p)
{
    char *i = uri_escape(issuer), *a = uri_escape(account ? account : ""), *uri = NULL;

    if (i != NULL && a != NULL &&
        asprintf(&uri,
                 "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%lld", i,
                 a, secret, i, p->digits, (long long)p->period) < 0)
        uri = NULL;
    free(i);
    free(a);
    return uri;
}

static void params_of(const json_t *data, totp_params *p)
{
    p->digits = (int)json_integer_value(json_object_get(data, "digits"));
    p->period = json_integer_value(json_object_get(data, "period"));
    if (p->digits < 6 || p->digits > 8)
        p->digits = 6;
    if (p->period < 15 || p->period > 300)
        p->period = 30;
}

static pc_status totp_enrol(void *state, const pc_scheme_call *call, pc_factor *f,
                            const json_t *input, json_t **reply)
{
    uint8_t key[SECRET_BYTES];
    char secret[64], *uri = NULL, *svg = NULL;
    const char *issuer = scheme_setting_str(call, "issuer", scheme_tenant_name(call, f->issuer));
    /* Settings apply at enrolment; the factor keeps them, so later changes never lock anyone out. */
    totp_params p = {(int)scheme_setting_int(call, "digits", 6, 6, 8),
                     scheme_setting_int(call, "period", 30, 15, 300)};
    pc_status rc = PC_ERR_INTERNAL;

    (void)state;
    (void)input;
    if (host->random(key, sizeof key) != PC_OK ||
        totp_base32_encode(key, sizeof key, secret, sizeof secret) < 0)
        goto out;
    uri = otpauth_uri(issuer, f->account, secret, &p);
    svg = uri ? totp_qr_svg(uri) : NULL;
    if (svg == NULL)
        goto out;
    f->secret = strdup(secret);
    json_object_set_new(f->data, "digits", json_integer(p.digits));
    json_object_set_new(f->data, "period", json_integer(p.period));
    json_object_set_new(f->data, "last_step", json_integer(-1));
    *reply = json_pack("{s:s,s:s,s:s}", "secret", secret, "otpauth_uri", uri, "qr_svg", svg);
    rc = f->secret != NULL && *reply != NULL ? PC_OK : PC_ERR_INTERNAL;
out:
    memset(key, 0, sizeof key);
    memset(secret, 0, sizeof secret);
    free(uri);
    free(svg);
    return rc;
}

static pc_status totp_verify(void *state, const pc_scheme_call *call, pc_factor *f,
                             const char *code)
{
    uint8_t key[64];
    int n = f->secret ? totp_base32_decode(f->secret, key, sizeof key) : -1;
    json_t *last = json_object_get(f->data, "last_step");
    int64_t step = 0;
    totp_params p;
    int ok;

    (void)state;
    (void)call;
    if (n <= 0)
        return PC_ERR_INTERNAL;
    params_of(f->data, &p);
    ok = totp_check(&p, key, (size_t)n, host->now(), code,
                    json_is_integer(last) ? json_integer_value(last) : -1, &step);
    memset(key, 0, sizeof key);
    if (!ok)
        return PC_ERR_DENIED;
    /* RFC 6238 §5.2: remember the step so that it is never accepted again. */
    json_object_set_new(f->data, "last_step", json_integer(step));
    return PC_OK;
}

static const pc_scheme_ops totp_ops = {
    .base = PC_PLUGIN_BASE(pc_scheme_ops, PC_KIND_SCHEME, "totp", "1.0.0",
                           "Time-based one-time passwords (RFC 6238), with QR-code enrolment",
                           totp_init, NULL),
    .method = "totp",
    .amr = "otp",
    .enrol = totp_enrol,
    .challenge = NULL,
    .verify = totp_verify,
    .channel = NULL,
    .enrol_activates = 0,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &totp_ops.base;
}
