/* SPDX-License-Identifier: Apache-2.0 */
/* The passkey scheme (WebAuthn L2): creation and request options, registration and assertion checks. */
#include "scheme_util.h"
#include "wa_b64.h"
#include "wa_rp.h"
#include "wa_verify.h"

#include <stdlib.h>
#include <string.h>

#define CHALLENGE_BYTES 32
#define PLUGIN "webauthn"

static const pc_host *host;

static pc_status wa_init(const pc_host *h, const json_t *config, void **state)
{
    (void)config;
    host = h;
    *state = NULL;
    return PC_OK;
}

static const pc_scheme_call *call_of_size(const pc_scheme_call *call, int want_challenge)
{
    return want_challenge && !PC_HAS_MEMBER(call, pc_scheme_call, flags) ? NULL : call;
}

static const char *user_verification(const pc_scheme_call *call)
{
    const char *uv = scheme_setting_str(call, "user_verification", "preferred");

    return strcmp(uv, "required") == 0 || strcmp(uv, "discouraged") == 0 ? uv : "preferred";
}

static int64_t timeout_s(const pc_scheme_call *call)
{
    return scheme_setting_int(call, "timeout", 300, 30, 600);
}

/* The tenant's relying party; logs a misconfiguration (the operator's to fix). */
static pc_status rp_for(const pc_scheme_call *call, const pc_factor *f, wa_rp *rp)
{
    const char *err = wa_rp_of(f->issuer, scheme_settings(call), rp);

    if (err == NULL)
        return PC_OK;
    host->log(PC_LOG_ERROR, PLUGIN, "%s (rp_id=%s)", err, rp->id ? rp->id : "-");
    wa_rp_clear(rp);
    return PC_ERR_INTERNAL;
}

/* [{"type":"public-key","id":...}] of the factor's credentials (new). */
static json_t *descriptors(const pc_factor *f)
{
    json_t *out = json_array(), *c;
    size_t i;

    json_array_foreach (json_object_get(f->data, "credentials"), i, c)
        json_array_append_new(
            out, json_pack("{s:s,s:O}", "type", "public-key", "id", json_object_get(c, "id")));
    return out;
}

static json_t *creation_options(const pc_scheme_call *call, const pc_factor *f, const wa_rp *rp,
                                const char *challenge)
{
    char *uid = wa_b64url_encode((const uint8_t *)f->user_id, strlen(f->user_id));
    const char *account = f->account ? f->account : f->user_id;
    json_t *o = json_pack(
        "{s:{s:s,s:s},s:{s:s,s:s,s:s},s:s,s:[{s:s,s:i},{s:s,s:i},{s:s,s:i}],s:I,s:o,"
        "s:{s:s,s:b,s:s},s:s}",
        "rp", "id", rp->id, "name", scheme_tenant_name(call, rp->id), "user", "id", uid, "name",
        account, "displayName", account, "challenge", challenge, "pubKeyCredParams", "type",
        "public-key", "alg", WA_ALG_ES256, "type", "public-key", "alg", WA_ALG_EDDSA, "type",
        "public-key", "alg", WA_ALG_RS256, "timeout", (json_int_t)timeout_s(call) * 1000,
        "excludeCredentials", descriptors(f), "authenticatorSelection", "residentKey", "preferred",
        "requireResidentKey", 0, "userVerification", user_verification(call), "attestation",
        "none");

    free(uid);
    return o;
}

/* §13.4.3: a fresh random challenge of 32 bytes (new), or NULL. */
static char *new_challenge(void)
{
    uint8_t b[CHALLENGE_BYTES];

    return host->random(b, sizeof b) == PC_OK ? wa_b64url_encode(b, sizeof b) : NULL;
}

static pc_status wa_enrol(void *state, const pc_scheme_call *call, pc_factor *f,
                          const json_t *input, json_t **reply)
{
    wa_rp rp;
    char *challenge = NULL;
    json_t *opts;
    pc_status rc;

    (void)state;
    (void)input;
    if ((rc = rp_for(call, f, &rp)) != PC_OK)
        return rc;
    challenge = new_challenge();
    opts = challenge ? creation_options(call, f, &rp, challenge) : NULL;
    if (opts != NULL) {
        /* One enrolment at a time, single use and expiring (§13.4.3). */
        json_object_set_new(f->data, "pending",
                            json_pack("{s:s,s:I}", "challenge", challenge, "expires_at",
                                      (json_int_t)(host->now() + timeout_s(call))));
        if (json_object_get(f->data, "credentials") == NULL)
            json_object_set_new(f->data, "credentials", json_array());
        *reply = json_pack("{s:o}", "publicKey", opts);
    }
    free(challenge);
    wa_rp_clear(&rp);
    return opts != NULL && *reply != NULL ? PC_OK : PC_ERR_INTERNAL;
}

static pc_status wa_sign_in_options(void *state, const pc_scheme_call *call, const pc_factor *f,
                                    json_t **reply)
{
    wa_rp rp;
    int passwordless;
    pc_status rc;

    (void)state;
    if (call_of_size(call, 1) == NULL || call->challenge == NULL)
        return PC_ERR_INVALID;
    if ((rc = rp_for(call, f, &rp)) != PC_OK)
        return rc;
    passwordless = (call->flags & PC_SCHEME_PASSWORDLESS) != 0;
    *reply = json_pack("{s:{s:s,s:s,s:I,s:s,s:o}}", "publicKey", "challenge", call->challenge,
                       "rpId", rp.id, "timeout", (json_int_t)timeout_s(call) * 1000,
                       "userVerification", passwordless ? "required" : user_verification(call),
                       "allowCredentials", passwordless ? json_array() : descriptors(f));
    wa_rp_clear(&rp);
    return *reply != NULL ? PC_OK : PC_ERR_INTERNAL;
}

static json_t *find_credential(const pc_factor *f, const char *id)
{
    json_t *c;
    size_t i;

    json_array_foreach (json_object_get(f->data, "credentials"), i, c)
        if (id != NULL && json_is_string(json_object_get(c, "id")) &&
            strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
            return c;
    return NULL;
}

static pc_status refused(const pc_factor *f, const char *why)
{
    host->log(PC_LOG_WARNING, PLUGIN, "passkey refused: user=%s: %s", f->user_id, why);
    return PC_ERR_DENIED;
}

static json_t *stored_credential(const json_t *name, const wa_new_cred *nc)
{
    int64_t now = host->now();
    const char *n = json_string_value(name);

    return json_pack("{s:s,s:s,s:s,s:i,s:I,s:b,s:b,s:s,s:I,s:n}", "id", nc->id, "name",
                     n != NULL && *n != '\0' ? n : "Passkey", "public_key", nc->public_key, "alg",
                     nc->alg, "sign_count", (json_int_t)nc->sign_count, "backup_eligible",
                     (nc->flags & WA_FLAG_BE) != 0, "backed_up", (nc->flags & WA_FLAG_BS) != 0,
                     "attestation", nc->fmt, "created_at", (json_int_t)now, "last_used_at");
}

/* §7.1 on the pending enrolment, which is used up whatever the outcome. */
static pc_status registration(const pc_scheme_call *call, pc_factor *f, const json_t *body,
                              const wa_rp *rp)
{
    json_t *pending = json_incref(json_object_get(f->data, "pending"));
    const char *challenge = json_string_value(json_object_get(pending, "challenge"));
    wa_expect e = {challenge, rp->id, (const char *const *)rp->origins, rp->n_origins,
                   strcmp(user_verification(call), "required") == 0};
    wa_new_cred nc;
    const char *err;
    pc_status rc;

    json_object_del(f->data, "pending");
    if (challenge == NULL ||
        json_integer_value(json_object_get(pending, "expires_at")) < host->now())
        err = "no enrolment is in progress, or it expired";
    else if (json_string_length(json_object_get(body, "name")) > 64)
        err = "the name is longer than 64 characters";
    else
        err = wa_registration_verify(json_object_get(body, "credential"), &e, &nc);
    if (err == NULL && find_credential(f, nc.id) != NULL) {
        err = "this credential is registered already";
        wa_new_cred_clear(&nc);
    }
    json_decref(pending);
    if (err != NULL)
        return refused(f, err);
    rc = json_array_append_new(json_object_get(f->data, "credentials"),
                               stored_credential(json_object_get(body, "name"), &nc)) == 0
             ? PC_OK
             : PC_ERR_INTERNAL;
    wa_new_cred_clear(&nc);
    return rc;
}

/* The userHandle, when given, must be this user's; a passwordless response must give it. */
static const char *user_handle_check(const pc_scheme_call *call, const pc_factor *f,
                                     const json_t *cred)
{
    const char *uh =
        json_string_value(json_object_get(json_object_get(cred, "response"), "userHandle"));
    char *mine = wa_b64url_encode((const uint8_t *)f->user_id, strlen(f->user_id));
    int same = uh != NULL && mine != NULL && strcmp(uh, mine) == 0;

    free(mine);
    if (uh == NULL || *uh == '\0')
        return (call->flags & PC_SCHEME_PASSWORDLESS) ? "the response names no user (userHandle)"
                                                      : NULL;
    return same ? NULL : "the response's userHandle is another user's";
}

/* §6.1.1: a counter that did not grow is logged and audited, and refused unless the tenant says "log". */
static int counter_refused(const pc_scheme_call *call, const pc_factor *f, const json_t *stored,
                           const wa_assertion *as)
{
    json_t *details;

    if (!as->count_decreased)
        return 0;
    host->log(PC_LOG_WARNING, PLUGIN,
              "passkey signature counter did not grow (possible clone): user=%s stored=%lld new=%u",
              f->user_id, (long long)json_integer_value(json_object_get(stored, "sign_count")),
              as->sign_count);
    details = json_pack("{s:O,s:I}", "credential", json_object_get(stored, "id"), "sign_count",
                        (json_int_t)as->sign_count);
    scheme_audit(call, "webauthn.counter_decreased", details);
    json_decref(details);
    return strcmp(scheme_setting_str(call, "sign_count_decrease", "refuse"), "log") != 0;
}

/* §7.2 against the challenge the host issued for this sign-in. */
static pc_status assertion(const pc_scheme_call *call, pc_factor *f, const json_t *cred,
                           const wa_rp *rp)
{
    int passwordless = (call->flags & PC_SCHEME_PASSWORDLESS) != 0;
    wa_expect e = {call->challenge, rp->id, (const char *const *)rp->origins, rp->n_origins,
                   passwordless || strcmp(user_verification(call), "required") == 0};
    json_t *stored = find_credential(f, wa_response_id(cred));
    const char *err;
    wa_assertion as;

    if (call->challenge == NULL)
        return refused(f, "no challenge was issued for this sign-in");
    if (stored == NULL)
        return refused(f, "unknown credential");
    if ((err = user_handle_check(call, f, cred)) != NULL ||
        (err = wa_assertion_verify(
             cred, &e, json_string_value(json_object_get(stored, "public_key")),
             (uint32_t)json_integer_value(json_object_get(stored, "sign_count")), &as)) != NULL)
        return refused(f, err);
    if (counter_refused(call, f, stored, &as))
        return refused(f, "the signature counter did not grow");
    json_object_set_new(stored, "sign_count", json_integer(as.sign_count));
    json_object_set_new(stored, "backed_up", json_boolean(as.flags & WA_FLAG_BS));
    json_object_set_new(stored, "last_used_at", json_integer(host->now()));
    /* RFC 8176: a key that may be synced off the device (BE) is software-held, else hardware. */
    json_object_set_new(f->data, "amr", json_string((as.flags & WA_FLAG_BE) ? "swk" : "hwk"));
    json_object_set_new(f->data, "user_verified", json_boolean(as.flags & WA_FLAG_UV));
    return PC_OK;
}

/*
 * `code` is JSON: {"name","credential":RegistrationResponseJSON} finishes an
 * enrolment; an AuthenticationResponseJSON (or {"credential":...}) signs in.
 */
static pc_status wa_verify(void *state, const pc_scheme_call *call, pc_factor *f, const char *code)
{
    json_t *body = code ? json_loads(code, JSON_REJECT_DUPLICATES, NULL) : NULL, *cred;
    wa_rp rp;
    pc_status rc;

    (void)state;
    json_object_del(f->data, "amr");
    if (call_of_size(call, 1) == NULL || !json_is_object(body)) {
        json_decref(body);
        return refused(f, "the response is not a JSON object");
    }
    cred = json_object_get(body, "credential") ? json_object_get(body, "credential") : body;
    if ((rc = rp_for(call, f, &rp)) == PC_OK) {
        if (json_object_get(json_object_get(cred, "response"), "attestationObject") != NULL)
            rc = call->challenge == NULL ? registration(call, f, body, &rp)
                                         : refused(f, "a registration where a sign-in was due");
        else
            rc = assertion(call, f, cred, &rp);
    }
    wa_rp_clear(&rp);
    json_decref(body);
    return rc;
}

static const pc_scheme_ops webauthn_ops = {
    .base = PC_PLUGIN_BASE(pc_scheme_ops, PC_KIND_SCHEME, "webauthn", "1.0.0",
                           "Passkeys (WebAuthn Level 2): second factor and passwordless sign-in",
                           wa_init, NULL),
    .method = "webauthn",
    .amr = "hwk",
    .enrol = wa_enrol,
    .challenge = NULL,
    .verify = wa_verify,
    .channel = NULL,
    .enrol_activates = 0,
    .enrol_adds = 1,
    .sign_in_options = wa_sign_in_options,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &webauthn_ops.base;
}
