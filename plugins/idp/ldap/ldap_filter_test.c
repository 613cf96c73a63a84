/* SPDX-License-Identifier: Apache-2.0 */
/* Tests plugins/idp/ldap/ldap_filter.c: RFC 4515 §4's examples, injection attempts, templates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ldap_filter.h"

static void assert_escapes(const char *in, size_t len, const char *want)
{
    char *got = ldap_filter_escape(in, len);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* RFC 4515 §4: the assertion values of its examples, escaped as it shows (hex in lower case). */
static void test_rfc4515_examples(void **state)
{
    (void)state;
    assert_escapes("Parens R Us (for all your parenthetical needs)", 46,
                   "Parens R Us \\28for all your parenthetical needs\\29");
    assert_escapes("*", 1, "\\2a");
    assert_escapes("C:\\MyFile", 9, "C:\\5cMyFile");
    assert_escapes("\0\0\0\4", 4, "\\00\\00\\00\\04");
    assert_escapes("Lu\xc4\x8di\xc4\x87", 7, "Lu\\c4\\8di\\c4\\87");
    assert_escapes("", 0, "");
}

/* What a person may type in the username field can only ever match itself. */
static void test_injection_attempts(void **state)
{
    (void)state;
    assert_escapes("*)(uid=*", 8, "\\2a\\29\\28uid=\\2a");
    assert_escapes("admin)(|(objectClass=*", 22, "admin\\29\\28|\\28objectClass=\\2a");
    assert_escapes("a\nb\x7f", 4, "a\\0ab\\7f");
    assert_escapes("alice@example.org", 17, "alice@example.org");
}

static void test_escape_bounds(void **state)
{
    char *big = calloc(LDAP_FILTER_VALUE_MAX + 2, 1);
    char *out;

    (void)state;
    memset(big, '*', LDAP_FILTER_VALUE_MAX + 1);
    assert_null(ldap_filter_escape(big, LDAP_FILTER_VALUE_MAX + 1));
    out = ldap_filter_escape(big, LDAP_FILTER_VALUE_MAX);
    assert_non_null(out);
    assert_int_equal(strlen(out), 3 * LDAP_FILTER_VALUE_MAX);
    free(out);
    free(big);
    assert_null(ldap_filter_escape(NULL, 0));
}

static void assert_builds(const char *tmpl, const char *ph, const char *value, const char *want)
{
    char *got = ldap_filter_build(tmpl, ph, value);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_build(void **state)
{
    (void)state;
    assert_builds("(uid={username})", "username", "alice", "(uid=alice)");
    assert_builds("(uid={username})", "username", "*)(uid=*", "(uid=\\2a\\29\\28uid=\\2a)");
    assert_builds("(&(objectClass=person)(|(uid={username})(mail={username})))", "username", "a*",
                  "(&(objectClass=person)(|(uid=a\\2a)(mail=a\\2a)))");
    assert_builds("(member={dn})", "dn", "uid=x\\2C(y),dc=org",
                  "(member=uid=x\\5c2C\\28y\\29,dc=org)");
    assert_builds("(cn=a\\29b{username})", "username", "", "(cn=a\\29b)");
}

static void test_template_problems(void **state)
{
    static const char *bad[] = {
        "uid={username}",         /* not parenthesised */
        "(uid={username})(cn=x)", /* two filters */
        "(uid={username}",        /* unbalanced */
        "(uid={username}))",      /* unbalanced */
        "(uid=alice)",            /* no placeholder */
        "(uid={user})",           /* another placeholder */
        "(&(uid={username})(x={dn}))",
        "",
        "(cn=\\{username})", /* a backslash would take hold of the value's first byte */
        "(cn=\\2{username})",
        "(cn={username}\\)",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_non_null(ldap_filter_template_problem(bad[i], "username"));
        assert_null(ldap_filter_build(bad[i], "username", "alice"));
    }
    assert_non_null(ldap_filter_template_problem(NULL, "username"));
    assert_null(ldap_filter_template_problem("(uid={username})", "username"));
    assert_null(ldap_filter_template_problem("(cn=\\28{username})", "username"));
    assert_non_null(ldap_filter_template_problem("(member={username})", "dn"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4515_examples),  cmocka_unit_test(test_injection_attempts),
        cmocka_unit_test(test_escape_bounds),     cmocka_unit_test(test_build),
        cmocka_unit_test(test_template_problems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
