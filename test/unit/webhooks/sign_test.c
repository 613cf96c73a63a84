/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/webhooks/sign.c: Standard Webhooks v1 signatures and whsec_ secrets. */
#include "test_support.h"
#include "util/crypto.h"
#include "util/mem.h"
#include "webhooks/webhooks.h"

#include <stdlib.h>
#include <string.h>

/* The example of the Standard Webhooks reference libraries (the same signature
 * comes out of the npm package standardwebhooks). */
#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define MSG_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define TIMESTAMP 1614265330LL
#define BODY "{\"test\": 2432232314}"
#define EXPECTED "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void signs_the_reference_vector(void **state)
{
    const char *secrets[] = {SECRET, NULL};
    char *sig = pc_webhook_signature(secrets, MSG_ID, TIMESTAMP, BODY, strlen(BODY));

    (void)state;
    assert_string_equal(sig, EXPECTED);
    free(sig);
}

static void two_secrets_give_two_signatures_separated_by_a_space(void **state)
{
    char *other = pc_webhook_secret_new();
    const char *secrets[] = {other, SECRET, NULL};
    char *sig = pc_webhook_signature(secrets, MSG_ID, TIMESTAMP, BODY, strlen(BODY));
    const char *space = strchr(sig, ' ');

    (void)state;
    assert_non_null(space);
    assert_string_equal(space + 1, EXPECTED);
    assert_memory_equal(sig, "v1,", 3);
    assert_string_not_equal(sig, EXPECTED " " EXPECTED);
    free(sig);
    pc_free_secret(other);
}

static void a_changed_body_or_timestamp_changes_the_signature(void **state)
{
    const char *secrets[] = {SECRET, NULL};
    char *a = pc_webhook_signature(secrets, MSG_ID, TIMESTAMP + 1, BODY, strlen(BODY));
    char *b = pc_webhook_signature(secrets, MSG_ID, TIMESTAMP, "{\"test\": 2432232315}", 20);

    (void)state;
    assert_string_not_equal(a, EXPECTED);
    assert_string_not_equal(b, EXPECTED);
    free(a);
    free(b);
}

static void new_secrets_are_whsec_and_24_random_bytes(void **state)
{
    char *a = pc_webhook_secret_new(), *b = pc_webhook_secret_new();

    (void)state;
    assert_memory_equal(a, "whsec_", 6);
    assert_int_equal(strlen(a), 6 + 32); /* base64 of 24 bytes, no padding needed */
    assert_int_equal(
        strspn(a + 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), 32);
    assert_string_not_equal(a, b);
    pc_free_secret(a);
    pc_free_secret(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signs_the_reference_vector),
        cmocka_unit_test(two_secrets_give_two_signatures_separated_by_a_space),
        cmocka_unit_test(a_changed_body_or_timestamp_changes_the_signature),
        cmocka_unit_test(new_secrets_are_whsec_and_24_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
