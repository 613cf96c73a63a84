/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/iam/users.c: status at a time (a freeze ends by itself), deleted users, stored emails. */
#include "test_support.h"
#include "iam/users.h"

#include <stdlib.h>

static void test_status_and_freeze(void **state)
{
    json_t *u = json_pack("{s:s,s:n,s:n}", "status", "active", "disabled_until", "deleted_at");

    (void)state;
    assert_true(pc_iam_user_active(u, 1000));
    assert_string_equal(pc_iam_user_status(u, 1000), "active");
    json_object_set_new(u, "disabled_until", json_integer(2000));
    assert_false(pc_iam_user_active(u, 1000));
    assert_string_equal(pc_iam_user_status(u, 1999), "disabled");
    /* the freeze ends by itself, without any write */
    assert_string_equal(pc_iam_user_status(u, 2000), "active");
    assert_true(pc_iam_user_active(u, 2000));
    json_object_set_new(u, "status", json_string("disabled"));
    assert_true(pc_iam_user_disabled(u, 5000));
    json_object_set_new(u, "status", json_string("active"));
    json_object_set_new(u, "deleted_at", json_integer(10));
    assert_false(pc_iam_user_active(u, 5000));
    assert_false(pc_iam_user_disabled(u, 5000));
    assert_false(pc_iam_user_active(NULL, 0));
    json_decref(u);
}

static void test_email_normal_form(void **state)
{
    char *e = pc_iam_email_normal("Ada.Lovelace@Example.COM");

    (void)state;
    assert_string_equal(e, "ada.lovelace@example.com");
    free(e);
    /* only ASCII letters fold; other bytes stay as they are */
    e = pc_iam_email_normal("Zo\xc3\xab@X.org");
    assert_string_equal(e, "zo\xc3\xab@x.org");
    free(e);
    assert_null(pc_iam_email_normal(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_freeze),
        cmocka_unit_test(test_email_normal_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
