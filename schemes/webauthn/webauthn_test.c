/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests the WebAuthn checks (wa_verify.c, wa_cbor.c, wa_rp.c, wa_b64.c) with vectors recorded from
 * Chromium's virtual authenticator and packed self attestations (testdata/vectors.json, made by
 * test/e2e/tools/record-webauthn-vectors.mjs): each check refuses what it must, with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "wa_b64.h"
#include "wa_rp.h"
#include "wa_testutil.h"
#include "wa_verify.h"

static json_t *vectors;

static int load_vectors(void **state)
{
    (void)state;
    vectors = json_load_file(WA_VECTORS "/vectors.json", 0, NULL);
    return json_is_object(vectors) ? 0 : -1;
}

static int free_vectors(void **state)
{
    (void)state;
    json_decref(vectors);
    return 0;
}

static const json_t *vec(const char *name, const char *ceremony, const char *member)
{
    return json_object_get(json_object_get(json_object_get(vectors, name), ceremony), member);
}

/* The expectations the recording met; challenge of `name`'s `ceremony`. */
static wa_expect expect_for(const char *name, const char *ceremony, const char **origin)
{
    *origin = json_string_value(json_object_get(vectors, "origin"));
    return (wa_expect){json_string_value(vec(name, ceremony, "challenge")),
                       json_string_value(json_object_get(vectors, "rp_id")), origin, 1, 1};
}

/* The stored public key of a vector's registration (new). */
static char *public_key_of(const char *name)
{
    const char *origin;
    wa_expect e = expect_for(name, "registration", &origin);
    wa_new_cred nc;
    char *pk;

    assert_null(wa_registration_verify(vec(name, "registration", "credential"), &e, &nc));
    pk = strdup(nc.public_key);
    wa_new_cred_clear(&nc);
    return pk;
}

static void test_registrations_of_the_virtual_authenticator(void **state)
{
    static const struct {
        const char *name;
        int alg;
    } rows[] = {{"es256", WA_ALG_ES256}, {"rs256", WA_ALG_RS256}, {"eddsa", WA_ALG_EDDSA}};
    const char *origin;

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        wa_expect e = expect_for(rows[i].name, "registration", &origin);
        const json_t *cred = vec(rows[i].name, "registration", "credential");
        wa_new_cred nc;
        assert_null(wa_registration_verify(cred, &e, &nc));
        assert_int_equal(nc.alg, rows[i].alg);
        assert_string_equal(nc.id, json_string_value(json_object_get(cred, "id")));
        assert_string_equal(nc.fmt, "none");
        assert_true(nc.flags & WA_FLAG_UV);
        wa_new_cred_clear(&nc);
    }
}

static void test_assertions_of_the_virtual_authenticator(void **state)
{
    static const char *const names[] = {"es256", "rs256", "eddsa", "es256_other"};
    const char *origin;

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *pk = public_key_of(names[i]);
        wa_expect e = expect_for(names[i], "assertion", &origin);
        wa_assertion as;
        assert_null(wa_assertion_verify(vec(names[i], "assertion", "credential"), &e, pk, 0, &as));
        assert_true(as.flags & WA_FLAG_UP);
        assert_int_equal(as.count_decreased, as.sign_count == 0);
        free(pk);
    }
}

static void test_packed_self_attestation(void **state)
{
    static const char *const names[] = {"packed_es256", "packed_eddsa"};
    const char *origin;

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        wa_expect e = expect_for(names[i], NULL, &origin);
        const json_t *v = json_object_get(vectors, names[i]);
        wa_new_cred nc;
        e.challenge = json_string_value(json_object_get(v, "challenge"));
        e.require_uv = 0; /* built with UP only */
        assert_null(wa_registration_verify(json_object_get(v, "credential"), &e, &nc));
        assert_string_equal(nc.fmt, "packed");
        wa_new_cred_clear(&nc);
    }
}

/* The decoded response member (new). */
static uint8_t *member_of(const json_t *cred, const char *member, size_t *n)
{
    uint8_t *out = NULL;

    assert_int_equal(wa_b64url_decode(json_string_value(json_object_get(
                                          json_object_get(cred, "response"), member)),
                                      65536, &out, n),
                     0);
    return out;
}

static void test_packed_signature_over_other_client_data_is_refused(void **state)
{
    const json_t *v = json_object_get(vectors, "packed_es256");
    const char *origin = json_string_value(json_object_get(vectors, "origin"));
    wa_expect e = {json_string_value(json_object_get(v, "challenge")), "localhost", &origin, 1, 0};
    /* The same values plus one member: other bytes, so another hash under the signature. */
    json_t *cd = json_pack("{s:s,s:s,s:s,s:b,s:s}", "type", "webauthn.create", "challenge",
                           e.challenge, "origin", origin, "crossOrigin", 0, "other", "x");
    char *text = json_dumps(cd, JSON_COMPACT);
    json_t *forged =
        wa_test_with_member(json_object_get(v, "credential"), "clientDataJSON", text, strlen(text));
    wa_new_cred nc;

    (void)state;
    assert_string_equal(wa_registration_verify(forged, &e, &nc) ?: "accepted",
                        "packed self attestation: the signature does not verify");
    json_decref(forged);
    json_decref(cd);
    free(text);
}

static void test_wrong_origin_rp_id_challenge_and_type(void **state)
{
    const char *origin, *evil = "http://localhost.evil.example";
    wa_expect e = expect_for("es256", "registration", &origin);
    const json_t *reg = vec("es256", "registration", "credential");
    wa_new_cred nc;

    (void)state;
    e.origins = &evil;
    assert_string_equal(wa_registration_verify(reg, &e, &nc),
                        "clientDataJSON comes from an origin that is not allowed");
    e = expect_for("es256", "registration", &origin);
    e.rp_id = "example.com";
    assert_string_equal(wa_registration_verify(reg, &e, &nc),
                        "the authenticator data is for another rpId");
    /* A replayed response answers an old challenge, not the one issued now. */
    e = expect_for("es256", "assertion", &origin);
    assert_string_equal(wa_registration_verify(reg, &e, &nc),
                        "clientDataJSON has another challenge than the one issued");
}

/* The registration's clientDataJSON (type webauthn.create) in an assertion. */
static void test_wrong_type(void **state)
{
    const char *origin;
    wa_expect e = expect_for("es256", "registration", &origin);
    char *pk = public_key_of("es256");
    size_t n;
    uint8_t *cdj = member_of(vec("es256", "registration", "credential"), "clientDataJSON", &n);
    json_t *swapped =
        wa_test_with_member(vec("es256", "assertion", "credential"), "clientDataJSON", cdj, n);
    wa_assertion as;

    (void)state;
    assert_string_equal(wa_assertion_verify(swapped, &e, pk, 0, &as),
                        "clientDataJSON has the wrong type");
    json_decref(swapped);
    free(cdj);
    free(pk);
}

static void test_signature_by_another_key_is_refused(void **state)
{
    const char *origin;
    wa_expect e = expect_for("es256", "assertion", &origin);
    char *other = public_key_of("es256_other");
    wa_assertion as;

    (void)state;
    assert_string_equal(
        wa_assertion_verify(vec("es256", "assertion", "credential"), &e, other, 0, &as),
        "the signature does not verify with the credential's public key");
    free(other);
}

/* Flags flipped in the authenticator data: refused before the (then broken) signature. */
static void test_flags_user_present_and_verified(void **state)
{
    const char *origin;
    wa_expect e = expect_for("es256", "assertion", &origin);
    const json_t *cred = vec("es256", "assertion", "credential");
    char *pk = public_key_of("es256");
    size_t n;
    uint8_t *ad = member_of(cred, "authenticatorData", &n);
    json_t *changed;
    wa_assertion as;

    (void)state;
    ad[32] &= (uint8_t)~WA_FLAG_UV;
    changed = wa_test_with_member(cred, "authenticatorData", ad, n);
    assert_string_equal(wa_assertion_verify(changed, &e, pk, 0, &as),
                        "the user was not verified (flag UV) and this site requires it");
    e.require_uv = 0;
    assert_string_equal(wa_assertion_verify(changed, &e, pk, 0, &as),
                        "the signature does not verify with the credential's public key");
    json_decref(changed);
    ad[32] &= (uint8_t)~WA_FLAG_UP;
    changed = wa_test_with_member(cred, "authenticatorData", ad, n);
    assert_string_equal(wa_assertion_verify(changed, &e, pk, 0, &as),
                        "the user was not present (flag UP)");
    json_decref(changed);
    free(ad);
    free(pk);
}

static void test_counter_that_did_not_grow(void **state)
{
    const char *origin;
    wa_expect e = expect_for("es256", "assertion", &origin);
    char *pk = public_key_of("es256");
    wa_assertion as;

    (void)state;
    assert_null(wa_assertion_verify(vec("es256", "assertion", "credential"), &e, pk, 0, &as));
    assert_true(as.sign_count > 0);
    assert_false(as.count_decreased);
    assert_null(
        wa_assertion_verify(vec("es256", "assertion", "credential"), &e, pk, as.sign_count, &as));
    assert_true(as.count_decreased);
    free(pk);
}

/* Every truncation and a bit flip at every byte of an attestation object: an error, never a crash. */
static void test_malformed_cbor(void **state)
{
    const json_t *cred = vec("rs256", "registration", "credential");
    size_t n;
    uint8_t *ao = member_of(cred, "attestationObject", &n);
    const char *origin;
    wa_expect e = expect_for("rs256", "registration", &origin);
    wa_attestation at;
    wa_new_cred nc;

    (void)state;
    for (size_t len = 0; len < n; len++) {
        assert_non_null(wa_attestation_parse(ao, len, &at));
        wa_attestation_clear(&at);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *changed;
        ao[i] ^= 0x80;
        changed = wa_test_with_member(cred, "attestationObject", ao, n);
        /* A flip may leave a well-formed object (a key byte), never an accepted forgery. */
        if (wa_registration_verify(changed, &e, &nc) == NULL) {
            assert_true(i > 0);
            wa_new_cred_clear(&nc);
        }
        json_decref(changed);
        ao[i] ^= 0x80;
    }
    assert_string_equal(wa_attestation_parse((const uint8_t *)"\xa0", 1, &at),
                        "the attestation object has no fmt");
    assert_string_equal(wa_attestation_parse((const uint8_t *)"\xbf\xff", 2, &at),
                        "the attestation object is not a well-formed CBOR map");
    assert_string_equal(wa_attestation_parse((const uint8_t *)"\x80", 1, &at),
                        "the attestation object is not a well-formed CBOR map");
    /* A map header declaring 2^24 entries in 9 bytes: refused before anything is allocated. */
    assert_string_equal(
        wa_attestation_parse((const uint8_t *)"\xbb\x00\x00\x00\x00\x01\x00\x00\x00", 9, &at),
        "the attestation object is not a well-formed CBOR map");
    free(ao);
}

static void test_auth_data_lengths(void **state)
{
    uint8_t ad[37 + 18 + 4] = {0};
    wa_auth_data out;

    (void)state;
    assert_non_null(wa_auth_data_parse(ad, 36, &out));
    assert_null(wa_auth_data_parse(ad, 37, &out));
    assert_string_equal(wa_auth_data_parse(ad, 38, &out), "authenticator data has bytes left over");
    ad[32] = WA_FLAG_AT;
    assert_string_equal(wa_auth_data_parse(ad, 40, &out),
                        "authenticator data: attested credential data is truncated");
    ad[37 + 16] = 0x04; /* a credential id of 1024 bytes */
    assert_string_equal(wa_auth_data_parse(ad, sizeof ad, &out),
                        "authenticator data: the credential id length is out of range");
    ad[37 + 16] = 0;
    ad[37 + 17] = 4; /* 4 bytes of id, then no key */
    assert_string_equal(wa_auth_data_parse(ad, sizeof ad, &out),
                        "authenticator data: the credential public key is not well-formed CBOR");
}

static void test_cose_keys(void **state)
{
    /* {1:2, 3:-7, -1:1, -2:h'00'*31, -3:...}: x one byte short */
    uint8_t short_x[] = {0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x1f};
    uint8_t es384[] = {0xa3, 0x01, 0x02, 0x03, 0x38, 0x22, 0x20, 0x02}; /* alg -35 */
    wa_cose_key k;

    (void)state;
    assert_non_null(wa_cose_key_parse(short_x, sizeof short_x, &k));
    assert_string_equal(wa_cose_key_parse(es384, sizeof es384, &k),
                        "credential public key: only ES256, RS256 and EdDSA are accepted");
    assert_string_equal(wa_cose_key_parse((const uint8_t *)"\x01", 1, &k),
                        "credential public key is not a CBOR map");
}

static void test_b64url(void **state)
{
    uint8_t *out;
    size_t n;
    char *s = wa_b64url_encode((const uint8_t *)"\xfb\xff", 2);

    (void)state;
    assert_string_equal(s, "-_8");
    free(s);
    assert_int_equal(wa_b64url_decode("-_8", 16, &out, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\xfb\xff", 2);
    free(out);
    assert_int_equal(wa_b64url_decode("-_9", 16, &out, &n), -1);  /* non-zero spare bits */
    assert_int_equal(wa_b64url_decode("-_8=", 16, &out, &n), -1); /* padding */
    assert_int_equal(wa_b64url_decode("a", 16, &out, &n), -1);
    assert_int_equal(wa_b64url_decode("AAAAAAAA", 5, &out, &n), -1); /* over max */
}

static void test_relying_party(void **state)
{
    json_t *s = json_pack("{s:s,s:[s,s]}", "rp_id", "example.com", "origins",
                          "https://login.example.com", "https://example.com:8443");
    wa_rp rp;

    (void)state;
    assert_null(wa_rp_of("https://login.example.com:8443/t/acme", NULL, &rp));
    assert_string_equal(rp.id, "login.example.com");
    assert_int_equal(rp.n_origins, 1);
    assert_string_equal(rp.origins[0], "https://login.example.com:8443");
    wa_rp_clear(&rp);
    assert_null(wa_rp_of("http://127.0.0.1:8080/t/x", s, &rp));
    assert_string_equal(rp.id, "example.com");
    assert_int_equal(rp.n_origins, 2);
    wa_rp_clear(&rp);
    json_object_set_new(s, "rp_id", json_string("ample.com"));
    assert_non_null(wa_rp_of("https://login.example.com/t/x", s, &rp));
    wa_rp_clear(&rp);
    json_object_set_new(s, "rp_id", json_string("com"));
    assert_non_null(wa_rp_of("https://login.example.com/t/x", s, &rp));
    wa_rp_clear(&rp);
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registrations_of_the_virtual_authenticator),
        cmocka_unit_test(test_assertions_of_the_virtual_authenticator),
        cmocka_unit_test(test_packed_self_attestation),
        cmocka_unit_test(test_packed_signature_over_other_client_data_is_refused),
        cmocka_unit_test(test_wrong_origin_rp_id_challenge_and_type),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_signature_by_another_key_is_refused),
        cmocka_unit_test(test_flags_user_present_and_verified),
        cmocka_unit_test(test_counter_that_did_not_grow),
        cmocka_unit_test(test_malformed_cbor),
        cmocka_unit_test(test_auth_data_lengths),
        cmocka_unit_test(test_cose_keys),
        cmocka_unit_test(test_b64url),
        cmocka_unit_test(test_relying_party),
    };

    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
