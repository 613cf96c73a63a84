/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests the webauthn scheme plugin through its operations (webauthn.c) with the recorded vectors:
 * an enrolment's challenge is used once and expires, a sign-in needs the host's challenge, an
 * unknown credential and another user's are refused, a counter that fell behind is refused unless
 * the tenant says "log", and a success earns amr hwk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <portcullis/portcullis.h>

const pc_plugin *portcullis_plugin(void);

static json_t *vectors;
static const pc_scheme_ops *ops;
static int64_t clock_now = 1700000000;

static void t_log(pc_log_level level, const char *plugin, const char *fmt, ...)
{
    (void)level;
    (void)plugin;
    (void)fmt;
}

static int64_t t_now(void)
{
    return clock_now;
}

static pc_status t_random(void *buf, size_t len)
{
    return gnutls_rnd(GNUTLS_RND_NONCE, buf, len) == 0 ? PC_OK : PC_ERR_CRYPTO;
}

static const pc_host host = {.abi_major = PC_ABI_MAJOR,
                             .abi_minor = PC_ABI_MINOR,
                             .struct_size = sizeof(pc_host),
                             .log = t_log,
                             .now = t_now,
                             .random = t_random};

static int setup(void **state)
{
    void *st = NULL;

    (void)state;
    vectors = json_load_file(WA_VECTORS "/vectors.json", 0, NULL);
    ops = (const pc_scheme_ops *)portcullis_plugin();
    return json_is_object(vectors) && ops->base.init(&host, NULL, &st) == PC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(vectors);
    return 0;
}

static json_t *vec(const char *name, const char *ceremony, const char *member)
{
    return json_object_get(json_object_get(json_object_get(vectors, name), ceremony), member);
}

typedef struct fixture {
    char issuer[128];
    json_t *settings;
    pc_scheme_call call;
    pc_factor f;
} fixture;

/* The recording's relying party (issuer {origin}/t/default) and user, with no credential yet. */
static void fixture_init(fixture *x, const char *user_id)
{
    memset(x, 0, sizeof *x);
    snprintf(x->issuer, sizeof x->issuer, "%s/t/default",
             json_string_value(json_object_get(vectors, "origin")));
    x->settings = json_pack("{s:s}", "user_verification", "required");
    x->call = (pc_scheme_call){.struct_size = sizeof x->call, .settings = x->settings};
    x->f = (pc_factor){.user_id = user_id, .account = "alice", .issuer = x->issuer};
    x->f.data = json_object();
}

static void fixture_clear(fixture *x)
{
    json_decref(x->settings);
    json_decref(x->f.data);
    free(x->f.secret);
}

/* Enrol, then make the pending challenge the recorded one, and finish with the recorded response. */
static pc_status register_vector(fixture *x, const char *name)
{
    json_t *reply = NULL, *body;
    char *code;
    pc_status rc;

    assert_int_equal(ops->enrol(NULL, &x->call, &x->f, NULL, &reply), PC_OK);
    json_decref(reply);
    json_object_set(json_object_get(x->f.data, "pending"), "challenge",
                    vec(name, "registration", "challenge"));
    body =
        json_pack("{s:s,s:O}", "name", name, "credential", vec(name, "registration", "credential"));
    code = json_dumps(body, JSON_COMPACT);
    rc = ops->verify(NULL, &x->call, &x->f, code);
    free(code);
    json_decref(body);
    return rc;
}

static pc_status sign_in(fixture *x, const char *name, const char *challenge)
{
    char *code = json_dumps(vec(name, "assertion", "credential"), JSON_COMPACT);
    pc_status rc;

    x->call.challenge = challenge;
    rc = ops->verify(NULL, &x->call, &x->f, code);
    x->call.challenge = NULL;
    free(code);
    return rc;
}

static const char *user_id(void)
{
    return json_string_value(json_object_get(vectors, "user_id"));
}

static void test_creation_options(void **state)
{
    fixture x;
    json_t *reply = NULL, *pk;

    (void)state;
    fixture_init(&x, user_id());
    assert_int_equal(ops->enrol(NULL, &x.call, &x.f, NULL, &reply), PC_OK);
    pk = json_object_get(reply, "publicKey");
    assert_string_equal(json_string_value(json_object_get(json_object_get(pk, "rp"), "id")),
                        "localhost");
    assert_int_equal(json_string_length(json_object_get(pk, "challenge")), 43); /* 32 bytes */
    assert_string_equal(json_string_value(json_object_get(pk, "attestation")), "none");
    json_decref(reply);
    fixture_clear(&x);
}

/* Sets the pending enrolment to `name`'s recorded challenge, expiring at `expires_at`, and verifies. */
static pc_status finish_with(fixture *x, const char *name, int64_t expires_at, int pending)
{
    json_t *body = json_pack("{s:O}", "credential", vec(name, "registration", "credential"));
    char *code = json_dumps(body, JSON_COMPACT);
    pc_status rc;

    if (pending)
        json_object_set_new(x->f.data, "pending",
                            json_pack("{s:O,s:I}", "challenge",
                                      vec(name, "registration", "challenge"), "expires_at",
                                      (json_int_t)expires_at));
    rc = ops->verify(NULL, &x->call, &x->f, code);
    free(code);
    json_decref(body);
    return rc;
}

static void test_enrolment_challenge_is_single_use_and_expires(void **state)
{
    fixture x;

    (void)state;
    fixture_init(&x, user_id());
    assert_int_equal(register_vector(&x, "es256"), PC_OK);
    assert_int_equal(json_array_size(json_object_get(x.f.data, "credentials")), 1);
    assert_null(json_object_get(x.f.data, "pending")); /* used up */
    /* The same credential again, even with a live challenge: registered already. */
    assert_int_equal(finish_with(&x, "es256", clock_now + 60, 1), PC_ERR_DENIED);
    /* Another credential: an expired challenge, then none at all, then a live one. */
    assert_int_equal(finish_with(&x, "es256_other", clock_now - 1, 1), PC_ERR_DENIED);
    assert_int_equal(finish_with(&x, "es256_other", 0, 0), PC_ERR_DENIED);
    assert_int_equal(finish_with(&x, "es256_other", clock_now + 60, 1), PC_OK);
    assert_int_equal(json_array_size(json_object_get(x.f.data, "credentials")), 2);
    fixture_clear(&x);
}

static void test_sign_in(void **state)
{
    fixture x;
    const char *challenge = json_string_value(vec("eddsa", "assertion", "challenge"));

    (void)state;
    fixture_init(&x, user_id());
    assert_int_equal(register_vector(&x, "eddsa"), PC_OK);
    /* No challenge issued by the host, or another one: refused. */
    assert_int_equal(sign_in(&x, "eddsa", NULL), PC_ERR_DENIED);
    assert_int_equal(
        sign_in(&x, "eddsa", json_string_value(vec("es256", "assertion", "challenge"))),
        PC_ERR_DENIED);
    assert_int_equal(sign_in(&x, "eddsa", challenge), PC_OK);
    assert_string_equal(json_string_value(json_object_get(x.f.data, "amr")), "hwk");
    /* The same response again: its counter did not grow (refused by default, logged with "log"). */
    assert_int_equal(sign_in(&x, "eddsa", challenge), PC_ERR_DENIED);
    json_object_set_new(x.settings, "sign_count_decrease", json_string("log"));
    assert_int_equal(sign_in(&x, "eddsa", challenge), PC_OK);
    fixture_clear(&x);
}

static void test_unknown_credential_and_other_user(void **state)
{
    fixture x;

    (void)state;
    fixture_init(&x, user_id());
    assert_int_equal(register_vector(&x, "es256_other"), PC_OK);
    assert_int_equal(
        sign_in(&x, "es256", json_string_value(vec("es256", "assertion", "challenge"))),
        PC_ERR_DENIED);
    fixture_clear(&x);
    /* A credential registered for this user, presented for another one (its userHandle differs). */
    fixture_init(&x, "0190c0de-7e57-7000-8000-0000000000ff");
    assert_int_equal(register_vector(&x, "rs256"), PC_OK);
    assert_int_equal(
        sign_in(&x, "rs256", json_string_value(vec("rs256", "assertion", "challenge"))),
        PC_ERR_DENIED);
    fixture_clear(&x);
}

static void test_malformed_responses(void **state)
{
    static const char *const codes[] = {NULL,
                                        "",
                                        "[]",
                                        "{\"credential\":1}",
                                        "{\"id\":\"x\"}",
                                        "{\"credential\":{\"id\":\"AA\",\"type\":\"public-key\","
                                        "\"response\":{\"attestationObject\":\"%%\"}}}"};
    fixture x;

    (void)state;
    fixture_init(&x, user_id());
    assert_int_equal(register_vector(&x, "es256"), PC_OK);
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        x.call.challenge = "AAAA";
        assert_int_equal(ops->verify(NULL, &x.call, &x.f, codes[i]), PC_ERR_DENIED);
    }
    x.call.challenge = NULL;
    fixture_clear(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_creation_options),
        cmocka_unit_test(test_enrolment_challenge_is_single_use_and_expires),
        cmocka_unit_test(test_sign_in),
        cmocka_unit_test(test_unknown_credential_and_other_user),
        cmocka_unit_test(test_malformed_responses),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
