/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests the WebAuthn checks with the specification's own examples: the test vectors of WebAuthn
 * Level 3 §16 (testdata/spec-vectors.json, hex as printed there; rpId example.org, origin
 * https://example.org). Each registration and authentication the plugin supports is accepted,
 * and each check refuses a copy with one field changed. Attestation with a certificate chain
 * (§16.7, §16.10, §16.11) is not supported: those registrations are refused for that reason,
 * and their credentials' assertions are checked with the key from the authenticator data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa_b64.h"
#include "wa_testutil.h"
#include "wa_verify.h"

static json_t *spec;
static const char *origin;

static int load_spec(void **state)
{
    (void)state;
    spec = json_load_file(WA_VECTORS "/spec-vectors.json", 0, NULL);
    origin = json_string_value(json_object_get(spec, "origin"));
    return json_is_object(spec) && origin != NULL ? 0 : -1;
}

static int free_spec(void **state)
{
    (void)state;
    json_decref(spec);
    return 0;
}

/* A hex member of a vector's ceremony, decoded (new). */
static uint8_t *hex_of(const char *name, const char *ceremony, const char *member, size_t *n)
{
    const char *h = json_string_value(
        json_object_get(json_object_get(json_object_get(spec, name), ceremony), member));
    uint8_t *out;

    assert_non_null(h);
    *n = strlen(h) / 2;
    out = malloc(*n + 1);
    assert_non_null(out);
    for (size_t i = 0; i < *n; i++) {
        unsigned v;
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return out;
}

/* A hex member as base64url (new). */
static char *b64_of(const char *name, const char *ceremony, const char *member)
{
    size_t n;
    uint8_t *b = hex_of(name, ceremony, member, &n);
    char *s = wa_b64url_encode(b, n);

    free(b);
    return s;
}

/* What the relying party of the examples expects; the challenge (new) is the ceremony's. */
static wa_expect expect_of(const char *name, const char *ceremony)
{
    return (wa_expect){b64_of(name, ceremony, "challenge"),
                       json_string_value(json_object_get(spec, "rp_id")), &origin, 1, 0};
}

/* The response JSON (PublicKeyCredential.toJSON()) of a credential id and response members. */
static json_t *credential(const char *id, json_t *response)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:{}}", "id", id, "rawId", id, "type", "public-key",
                     "response", response, "clientExtensionResults");
}

static json_t *registration(const char *name)
{
    char *id = b64_of(name, "registration", "credential_id"),
         *cdj = b64_of(name, "registration", "clientDataJSON"),
         *ao = b64_of(name, "registration", "attestationObject");
    json_t *c =
        credential(id, json_pack("{s:s,s:s}", "clientDataJSON", cdj, "attestationObject", ao));

    free(id);
    free(cdj);
    free(ao);
    return c;
}

static json_t *assertion(const char *name)
{
    char *id = b64_of(name, "registration", "credential_id"),
         *cdj = b64_of(name, "authentication", "clientDataJSON"),
         *ad = b64_of(name, "authentication", "authenticatorData"),
         *sig = b64_of(name, "authentication", "signature");
    json_t *c = credential(id, json_pack("{s:s,s:s,s:s}", "clientDataJSON", cdj,
                                         "authenticatorData", ad, "signature", sig));

    free(id);
    free(cdj);
    free(ad);
    free(sig);
    return c;
}

/* The credential public key (COSE, base64url, new) in a registration's authenticator data. */
static char *key_in_auth_data(const char *name)
{
    size_t n;
    uint8_t *ao = hex_of(name, "registration", "attestationObject", &n);
    wa_attestation at;
    wa_auth_data ad;
    char *pk;

    assert_null(wa_attestation_parse(ao, n, &at));
    assert_null(wa_auth_data_parse(at.auth_data, at.auth_data_len, &ad));
    pk = wa_b64url_encode(ad.cose_key, ad.cose_key_len);
    wa_attestation_clear(&at);
    free(ao);
    return pk;
}

/* The stored key of a registration the plugin accepts (new). */
static char *registered_key(const char *name, wa_new_cred *nc)
{
    wa_expect e = expect_of(name, "registration");
    json_t *reg = registration(name);
    const char *err = wa_registration_verify(reg, &e, nc);

    if (err != NULL)
        fail_msg("%s: %s", name, err);
    json_decref(reg);
    free((char *)e.challenge);
    return strdup(nc->public_key);
}

static void test_spec_registrations_accepted(void **state)
{
    static const struct {
        const char *name, *fmt;
        size_t id_len;
    } rows[] = {{"none.ES256", "none", 32},
                {"packed-self.ES256", "packed", 32},
                {"none.ES256.long-credential-id", "none", 1023}};

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        wa_new_cred nc;
        char *pk = registered_key(rows[i].name, &nc), *id;
        size_t n;
        uint8_t *raw = hex_of(rows[i].name, "registration", "credential_id", &n);
        assert_int_equal(n, rows[i].id_len);
        id = wa_b64url_encode(raw, n);
        assert_string_equal(nc.id, id);
        assert_string_equal(nc.fmt, rows[i].fmt);
        assert_int_equal(nc.alg, WA_ALG_ES256);
        assert_int_equal(nc.sign_count, 0);
        assert_true(nc.flags & WA_FLAG_UP);
        wa_new_cred_clear(&nc);
        free(id);
        free(raw);
        free(pk);
    }
}

/* §16.7, §16.10, §16.11: packed with x5c; the plugin asks for "none" and refuses chains. */
static void test_spec_certificate_chains_refused(void **state)
{
    static const struct {
        const char *name;
        int alg;
    } rows[] = {{"packed.ES256", WA_ALG_ES256},
                {"packed.RS256", WA_ALG_RS256},
                {"packed.EdDSA", WA_ALG_EDDSA}};

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        wa_expect e = expect_of(rows[i].name, "registration");
        json_t *reg = registration(rows[i].name);
        char *pk = key_in_auth_data(rows[i].name);
        uint8_t *cose;
        size_t n;
        wa_cose_key k;
        wa_new_cred nc;
        assert_string_equal(wa_registration_verify(reg, &e, &nc) ?: "accepted",
                            "packed attestation with a certificate chain is not accepted; ask "
                            "for \"none\"");
        /* The credential key itself decodes, of the vector's algorithm. */
        assert_int_equal(wa_b64url_decode(pk, 2048, &cose, &n), 0);
        assert_null(wa_cose_key_parse(cose, n, &k));
        assert_int_equal(k.alg, rows[i].alg);
        free(cose);
        free(pk);
        json_decref(reg);
        free((char *)e.challenge);
    }
}

/* The stored key of any example: from an accepted registration, or the authenticator data's. */
static char *key_of(const char *name)
{
    wa_new_cred nc;
    char *pk;

    if (strncmp(name, "packed.", 7) == 0)
        return key_in_auth_data(name);
    pk = registered_key(name, &nc);
    wa_new_cred_clear(&nc);
    return pk;
}

static void test_spec_authentications_accepted(void **state)
{
    static const char *const names[] = {
        "none.ES256",   "packed-self.ES256", "none.ES256.long-credential-id",
        "packed.ES256", "packed.RS256",      "packed.EdDSA"};

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *pk = key_of(names[i]);
        wa_expect e = expect_of(names[i], "authentication");
        json_t *as_json = assertion(names[i]);
        wa_assertion as;
        const char *err = wa_assertion_verify(as_json, &e, pk, 0, &as);
        if (err != NULL)
            fail_msg("%s: %s", names[i], err);
        assert_true(as.flags & WA_FLAG_UP);
        assert_int_equal(as.sign_count, 0);
        assert_false(as.count_decreased); /* §6.1.1: both counters zero, no counter */
        json_decref(as_json);
        free((char *)e.challenge);
        free(pk);
    }
}

/* §16.4: made in a cross-origin frame; the plugin's pages never embed it, so it is refused. */
static void test_spec_cross_origin_refused(void **state)
{
    const char *name = "none.ES256.crossOrigin";
    wa_expect e = expect_of(name, "registration");
    json_t *reg = registration(name), *as_json = assertion(name);
    char *pk = key_in_auth_data(name);
    wa_new_cred nc;
    wa_assertion as;

    (void)state;
    assert_string_equal(wa_registration_verify(reg, &e, &nc) ?: "accepted",
                        "the response was made in a cross-origin frame");
    free((char *)e.challenge);
    e = expect_of(name, "authentication");
    assert_string_equal(wa_assertion_verify(as_json, &e, pk, 0, &as) ?: "accepted",
                        "the response was made in a cross-origin frame");
    free((char *)e.challenge);
    free(pk);
    json_decref(reg);
    json_decref(as_json);
}

/* A copy of `cred` whose clientDataJSON has `key` set to `value`. */
static json_t *with_client_data(const char *name, const char *ceremony, const json_t *cred,
                                const char *key, const char *value)
{
    size_t n;
    uint8_t *raw = hex_of(name, ceremony, "clientDataJSON", &n);
    json_t *cd = json_loadb((const char *)raw, n, 0, NULL), *copy;
    char *text;

    json_object_set_new(cd, key, json_string(value));
    text = json_dumps(cd, JSON_COMPACT);
    copy = wa_test_with_member(cred, "clientDataJSON", (const uint8_t *)text, strlen(text));
    free(text);
    json_decref(cd);
    free(raw);
    return copy;
}

/* Verify an assertion of none.ES256 changed by `changed` under `e`: the error, or "accepted". */
static const char *try_assertion(json_t *changed, const wa_expect *e, const char *pk,
                                 uint32_t stored, wa_assertion *as)
{
    const char *err = wa_assertion_verify(changed, e, pk, stored, as);

    json_decref(changed);
    return err ? err : "accepted";
}

/* §16.2's authentication: the relying party's values, and the client data. */
static void test_spec_authentication_refusals_client_data(void **state)
{
    const char *name = "none.ES256", *evil = "https://example.org.evil.test";
    char *pk = key_of(name);
    wa_expect e = expect_of(name, "authentication"), reg_e = expect_of(name, "registration");
    json_t *cred = assertion(name);
    size_t n;
    uint8_t *ad = hex_of(name, "authentication", "authenticatorData", &n);
    wa_expect x = e;
    wa_assertion as;

    (void)state;
    x.rp_id = "example.com";
    assert_string_equal(try_assertion(json_incref(cred), &x, pk, 0, &as),
                        "the authenticator data is for another rpId");
    ad[0] ^= 1; /* the rpIdHash itself */
    assert_string_equal(
        try_assertion(wa_test_with_member(cred, "authenticatorData", ad, n), &e, pk, 0, &as),
        "the authenticator data is for another rpId");
    ad[0] ^= 1;
    x = e;
    x.origins = &evil;
    assert_string_equal(try_assertion(json_incref(cred), &x, pk, 0, &as),
                        "clientDataJSON comes from an origin that is not allowed");
    assert_string_equal(
        try_assertion(with_client_data(name, "authentication", cred, "origin", evil), &e, pk, 0,
                      &as),
        "clientDataJSON comes from an origin that is not allowed");
    /* The registration's challenge: a response to an earlier ceremony, replayed. */
    assert_string_equal(try_assertion(json_incref(cred), &reg_e, pk, 0, &as),
                        "clientDataJSON has another challenge than the one issued");
    assert_string_equal(
        try_assertion(with_client_data(name, "authentication", cred, "type", "webauthn.create"), &e,
                      pk, 0, &as),
        "clientDataJSON has the wrong type");
    json_decref(cred);
    free(ad);
    free((char *)e.challenge);
    free((char *)reg_e.challenge);
    free(pk);
}

/* §16.2's authentication: the authenticator data's flags and counter, and the signature. */
static void test_spec_authentication_refusals_signed(void **state)
{
    const char *name = "none.ES256";
    char *pk = key_of(name), *other = key_of("packed-self.ES256");
    wa_expect e = expect_of(name, "authentication"), x = e;
    json_t *cred = assertion(name);
    size_t n;
    uint8_t *ad = hex_of(name, "authentication", "authenticatorData", &n), *sig;
    wa_assertion as;

    (void)state;
    x = e;
    x.require_uv = 1; /* the example's flags are UP, BE and BS, without UV */
    assert_string_equal(try_assertion(json_incref(cred), &x, pk, 0, &as),
                        "the user was not verified (flag UV) and this site requires it");
    ad[32] &= (uint8_t)~WA_FLAG_UP;
    assert_string_equal(
        try_assertion(wa_test_with_member(cred, "authenticatorData", ad, n), &e, pk, 0, &as),
        "the user was not present (flag UP)");
    ad[32] |= WA_FLAG_UP;
    ad[36] = 7; /* a counter the authenticator did not sign */
    assert_string_equal(
        try_assertion(wa_test_with_member(cred, "authenticatorData", ad, n), &e, pk, 0, &as),
        "the signature does not verify with the credential's public key");
    free(ad);
    sig = hex_of(name, "authentication", "signature", &n);
    sig[n - 1] ^= 1;
    assert_string_equal(
        try_assertion(wa_test_with_member(cred, "signature", sig, n), &e, pk, 0, &as),
        "the signature does not verify with the credential's public key");
    assert_string_equal(try_assertion(json_incref(cred), &e, other, 0, &as),
                        "the signature does not verify with the credential's public key");
    /* §6.1.1: a stored counter of 1 and a response's 0: accepted, and said to have gone back. */
    assert_string_equal(try_assertion(json_incref(cred), &e, pk, 1, &as), "accepted");
    assert_true(as.count_decreased);
    free(sig);
    json_decref(cred);
    free((char *)e.challenge);
    free(pk);
    free(other);
}

/* Registration of §16.3 (packed self attestation), one field changed at a time. */
static void test_spec_registration_refusals(void **state)
{
    const char *name = "packed-self.ES256", *evil = "https://example.org.evil.test";
    wa_expect e = expect_of(name, "registration"), x = e;
    json_t *cred = registration(name), *changed;
    size_t n, rph;
    uint8_t *ao = hex_of(name, "registration", "attestationObject", &n),
            *hash = hex_of("none.ES256", "authentication", "authenticatorData", &rph);
    uint8_t *at_ad = NULL;
    wa_new_cred nc;

    (void)state;
    for (size_t i = 0; i + 32 <= n && at_ad == NULL; i++)
        if (memcmp(ao + i, hash, 32) == 0)
            at_ad = ao + i; /* the authenticator data inside the attestation object */
    assert_non_null(at_ad);
    x.rp_id = "example.com";
    assert_string_equal(wa_registration_verify(cred, &x, &nc),
                        "the authenticator data is for another rpId");
    at_ad[5] ^= 1;
    changed = wa_test_with_member(cred, "attestationObject", ao, n);
    assert_string_equal(wa_registration_verify(changed, &e, &nc),
                        "the authenticator data is for another rpId");
    json_decref(changed);
    at_ad[5] ^= 1;
    at_ad[32] &= (uint8_t)~WA_FLAG_UP;
    changed = wa_test_with_member(cred, "attestationObject", ao, n);
    assert_string_equal(wa_registration_verify(changed, &e, &nc),
                        "the user was not present (flag UP)");
    json_decref(changed);
    at_ad[32] |= WA_FLAG_UP;
    at_ad[36] = 9; /* the counter, under the self attestation's signature */
    changed = wa_test_with_member(cred, "attestationObject", ao, n);
    assert_string_equal(wa_registration_verify(changed, &e, &nc),
                        "packed self attestation: the signature does not verify");
    json_decref(changed);
    changed = with_client_data(name, "registration", cred, "origin", evil);
    assert_string_equal(wa_registration_verify(changed, &e, &nc),
                        "clientDataJSON comes from an origin that is not allowed");
    json_decref(changed);
    changed = with_client_data(name, "registration", cred, "type", "webauthn.get");
    assert_string_equal(wa_registration_verify(changed, &e, &nc),
                        "clientDataJSON has the wrong type");
    json_decref(changed);
    x = expect_of(name, "authentication");
    assert_string_equal(wa_registration_verify(cred, &x, &nc),
                        "clientDataJSON has another challenge than the one issued");
    free((char *)x.challenge);
    x = e;
    x.require_uv = 1;
    at_ad[32] &= (uint8_t)~WA_FLAG_UV;
    changed = wa_test_with_member(cred, "attestationObject", ao, n);
    assert_string_equal(wa_registration_verify(changed, &x, &nc),
                        "the user was not verified (flag UV) and this site requires it");
    json_decref(changed);
    json_decref(cred);
    free(ao);
    free(hash);
    free((char *)e.challenge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_registrations_accepted),
        cmocka_unit_test(test_spec_certificate_chains_refused),
        cmocka_unit_test(test_spec_authentications_accepted),
        cmocka_unit_test(test_spec_cross_origin_refused),
        cmocka_unit_test(test_spec_authentication_refusals_client_data),
        cmocka_unit_test(test_spec_authentication_refusals_signed),
        cmocka_unit_test(test_spec_registration_refusals),
    };

    return cmocka_run_group_tests(tests, load_spec, free_spec);
}
