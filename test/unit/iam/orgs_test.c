/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/iam/orgs.c: the organization body checks (API.md §18) and the slug rule. */
#include "test_support.h"
#include "iam/orgs.h"

#include <string.h>

/* The field pc_org_fields_problem names for `text`, or "" when it finds none. */
static const char *problem_of(const char *text)
{
    static char field[32];
    json_t *body = json_loads(text, JSON_ALLOW_NUL, NULL);
    const char *name = NULL;

    assert_non_null(body);
    field[0] = '\0';
    if (pc_org_fields_problem(body, &name) != NULL)
        snprintf(field, sizeof field, "%s", name);
    json_decref(body);
    return field;
}

static void test_valid_bodies_pass(void **state)
{
    (void)state;
    assert_string_equal(problem_of("{\"slug\":\"acme\",\"name\":\"Acme\"}"), "");
    assert_string_equal(problem_of("{\"slug\":\"a-1\",\"name\":\"A\",\"logo_url\":null}"), "");
    assert_string_equal(problem_of("{\"logo_url\":\"https://img.example/a.png\"}"), "");
    assert_string_equal(problem_of("{}"), ""); /* PATCH: each field checked only when present */
}

static void test_each_bad_field_is_named(void **state)
{
    static const char *const cases[][2] = {
        {"{\"slug\":\"-acme\"}", "slug"},
        {"{\"slug\":\"Acme\"}", "slug"},
        {"{\"slug\":\"\"}", "slug"},
        {"{\"slug\":\"a\\u0000b\"}", "slug"},
        {"{\"slug\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "slug"},
        {"{\"name\":\"\"}", "name"},
        {"{\"name\":\"a\\u0000b\"}", "name"},
        {"{\"logo_url\":\"http://img.example/a.png\"}", "logo_url"},
        {"{\"logo_url\":\"https://\"}", "logo_url"},
        {"{\"logo_url\":\"https:///path\"}", "logo_url"},
        {"{\"logo_url\":\"https://a b\"}", "logo_url"},
        {"{\"logo_url\":\"https://a\\nb\"}", "logo_url"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(problem_of(cases[i][0]), cases[i][1]);
}

static void test_long_name_refused(void **state)
{
    char text[300];

    (void)state;
    memset(text, 0, sizeof text);
    strcpy(text, "{\"name\":\"");
    memset(text + strlen(text), 'x', 201);
    strcat(text, "\"}");
    assert_string_equal(problem_of(text), "name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_bodies_pass),
        cmocka_unit_test(test_each_bad_field_is_named),
        cmocka_unit_test(test_long_name_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
