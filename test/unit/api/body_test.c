/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/api/body.c: a body is checked without a request, culprits named per API.md §5. */
#include "test_support.h"
#include "api/api.h"

#include <string.h>

static const pc_field fields[] = {
    {"name", PC_F_STRING, 1},
    {"uris", PC_F_STRINGS, 0},
    {"enabled", PC_F_BOOL, 0},
};

static json_t *check(const char *text, int partial, pc_body_problem *p)
{
    return pc_api_body_validate(text, text ? strlen(text) : 0, fields, 3, partial, p);
}

static void expect_refused(const char *text, int partial, pc_api_code code, const char *field,
                           const char *reason)
{
    pc_body_problem p;

    assert_null(check(text, partial, &p));
    assert_int_equal(p.code, code);
    assert_non_null(p.message);
    if (field == NULL) {
        assert_null(p.fields);
        return;
    }
    assert_int_equal(json_object_size(p.fields), 1);
    assert_string_equal(json_string_value(json_object_get(p.fields, field)), reason);
    json_decref(p.fields);
}

static void test_accepts_known_fields(void **state)
{
    pc_body_problem p;
    json_t *b = check("{\"name\":\"a\",\"uris\":[\"x\"],\"enabled\":true}", 0, &p);

    (void)state;
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "name")), "a");
    json_decref(b);
    b = check("{\"enabled\":false}", 1, &p); /* PATCH: nothing required */
    assert_non_null(b);
    json_decref(b);
}

static void test_refusals_name_culprits(void **state)
{
    (void)state;
    expect_refused(NULL, 0, PC_API_INVALID, NULL, NULL);
    expect_refused("[1]", 0, PC_API_INVALID, NULL, NULL);
    expect_refused("{\"name\":\"a\",\"name\":\"b\"}", 0, PC_API_INVALID, NULL, NULL);
    expect_refused("{\"name\":\"a\",\"admin\":true}", 0, PC_API_UNEXPECTED_FIELDS, "admin",
                   "unexpected");
    expect_refused("{\"uris\":[]}", 0, PC_API_MISSING_FIELDS, "name", "required");
    expect_refused("{\"name\":\"a\",\"uris\":[\"x\",2]}", 0, PC_API_INVALID, "uris",
                   "must be an array of strings");
    /* Unknown fields are reported before missing ones, missing before wrong types. */
    expect_refused("{\"enabled\":1,\"x\":1}", 0, PC_API_UNEXPECTED_FIELDS, "x", "unexpected");
    expect_refused("{\"enabled\":1}", 0, PC_API_MISSING_FIELDS, "name", "required");
    expect_refused("{\"enabled\":1}", 1, PC_API_INVALID, "enabled", "must be true or false");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_known_fields),
        cmocka_unit_test(test_refusals_name_culprits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
