/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/http/form.c: decoding, repeated names, the field limit, NUL and UTF-8 refusals, linear time. */
#include "test_support.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pc_form *parse(const char *text, size_t max)
{
    pc_form *f = NULL;
    const char *why = NULL;

    assert_int_equal(pc_form_parse(text, strlen(text), max, &f, &why), PC_OK);
    assert_null(why);
    return f;
}

static void refused(const char *text, size_t len, size_t max, const char *reason)
{
    pc_form *f = (pc_form *)1;
    const char *why = NULL;

    assert_int_equal(pc_form_parse(text, len, max, &f, &why), PC_ERR_INVALID);
    assert_null(f);
    assert_non_null(why);
    assert_non_null(strstr(why, reason));
}

static void test_decoding(void **state)
{
    pc_form *f = parse("grant_type=client_credentials&scope=a+b%20c&redirect_uri=https%3A%2F%2Fx"
                       "&empty=&bare&caf%C3%A9=%e2%82%ac&bad=%zz%4&&",
                       PC_FORM_MAX_FIELDS);

    (void)state;
    assert_string_equal(pc_form_get(f, "grant_type"), "client_credentials");
    assert_string_equal(pc_form_get(f, "scope"), "a b c");
    assert_string_equal(pc_form_get(f, "redirect_uri"), "https://x");
    assert_string_equal(pc_form_get(f, "empty"), "");
    assert_string_equal(pc_form_get(f, "bare"), "");
    assert_string_equal(pc_form_get(f, "caf\xc3\xa9"), "\xe2\x82\xac");
    assert_string_equal(pc_form_get(f, "bad"), "%zz%4"); /* invalid escapes stay as sent */
    assert_null(pc_form_get(f, "missing"));
    assert_null(pc_form_get(NULL, "x"));
    assert_int_equal(pc_form_count(f), 7);
    pc_form_free(f);
    pc_form_free(NULL);
}

static void test_repeated_names_join_in_order(void **state)
{
    pc_form *f = parse("a=1&b=x&a=2&a=&a=3", PC_FORM_MAX_FIELDS);

    (void)state;
    assert_string_equal(pc_form_get(f, "a"), "1,2,,3");
    assert_string_equal(pc_form_get(f, "b"), "x");
    assert_int_equal(pc_form_count(f), 2);
    pc_form_free(f);
}

static void test_repeated_name_is_reported(void **state)
{
    static const char *const may[] = {"resource", NULL};
    pc_form *once = parse("a=1&b=2", PC_FORM_MAX_FIELDS);
    pc_form *twice = parse("a=1&b=2&b=3", PC_FORM_MAX_FIELDS);
    pc_form *allowed = parse("resource=x&a=1&resource=y", PC_FORM_MAX_FIELDS);

    (void)state;
    assert_null(pc_form_repeated(once, NULL));
    assert_string_equal(pc_form_repeated(twice, NULL), "b");
    assert_string_equal(pc_form_repeated(twice, may), "b");
    assert_null(pc_form_repeated(allowed, may));
    assert_string_equal(pc_form_repeated(allowed, NULL), "resource");
    assert_null(pc_form_repeated(NULL, NULL));
    pc_form_free(once);
    pc_form_free(twice);
    pc_form_free(allowed);
}

static void test_field_limit(void **state)
{
    char *text = malloc(20 * 1002);
    size_t n = 0;
    pc_form *f;

    (void)state;
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(text + n, "%sf%d=v", i ? "&" : "", i);
    f = parse(text, PC_FORM_MAX_FIELDS); /* 1,000 fields: allowed */
    assert_int_equal(pc_form_count(f), 1000);
    assert_string_equal(pc_form_get(f, "f999"), "v");
    pc_form_free(f);
    strcpy(text + n, "&f1000=v"); /* 1,001: refused, even as repeats of one name */
    refused(text, strlen(text), PC_FORM_MAX_FIELDS, "too many fields");
    free(text);
    refused("a&a&a", 5, 2, "too many fields");
}

static void test_nul_is_refused(void **state)
{
    (void)state;
    refused("a=b%00c", 7, 10, "NUL");
    refused("a%00=b", 6, 10, "NUL");
    refused("a=b\0c", 5, 10, "NUL");
    assert_null(pc_form_unescape("x%00", 4, 0));
}

static void test_utf8(void **state)
{
    (void)state;
    refused("a=%ff", 5, 10, "UTF-8");
    refused("a=%c0%af", 8, 10, "UTF-8");        /* overlong '/' */
    refused("a=%ed%a0%80", 11, 10, "UTF-8");    /* a surrogate */
    refused("%f4%90%80%80=1", 14, 10, "UTF-8"); /* past U+10FFFF */
    assert_true(pc_form_utf8_valid("\xf0\x9f\x94\x91", 4));
    assert_false(pc_form_utf8_valid("\xe2\x82", 2));
}

static void test_unescape_keeps_plus_in_paths(void **state)
{
    char *s = pc_form_unescape("a+b%2Fc", 7, 0);

    (void)state;
    assert_string_equal(s, "a+b/c");
    free(s);
    s = pc_form_unescape("a+b", 3, 1);
    assert_string_equal(s, "a b");
    free(s);
}

/* 32,000 distinct fields parse in well under the 13 s the quadratic u_map took. */
static void test_linear_time(void **state)
{
    size_t cap = 32000 * 12, n = 0;
    char *text = malloc(cap);
    struct timespec t0, t1;
    pc_form *f;

    (void)state;
    for (int i = 0; i < 32000; i++)
        n += (size_t)snprintf(text + n, cap - n, "%sf%d=v", i ? "&" : "", i);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    f = parse(text, 32000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(pc_form_count(f), 32000);
    assert_string_equal(pc_form_get(f, "f31999"), "v");
    assert_true((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 < 0.5);
    pc_form_free(f);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoding),    cmocka_unit_test(test_repeated_names_join_in_order),
        cmocka_unit_test(test_field_limit), cmocka_unit_test(test_nul_is_refused),
        cmocka_unit_test(test_utf8),        cmocka_unit_test(test_unescape_keeps_plus_in_paths),
        cmocka_unit_test(test_linear_time), cmocka_unit_test(test_repeated_name_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
