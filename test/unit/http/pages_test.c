/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/http/pages.c: every interpolated value is HTML-escaped; sections show and hide. */
#include "test_support.h"
#include "http/pages.h"

#include <stdlib.h>

static void check(const char *tpl, json_t *vars, const char *want)
{
    char *got = pc_page_render(tpl, vars);

    assert_string_equal(got, want);
    free(got);
}

static void test_values_are_escaped(void **state)
{
    json_t *v = json_pack("{s:s}", "name", "<script>alert('x')</script> & \"q\"");

    (void)state;
    check("<p title=\"{{name}}\">{{name}}</p>", v,
          "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\">"
          "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>");
    check("[{{missing}}]", v, "[]");
    json_decref(v);
}

static void test_sections(void **state)
{
    json_t *v = json_pack("{s:s,s:s}", "message", "Wrong <b>", "empty", "");

    (void)state;
    check("a{{#message}}<p>{{message}}</p>{{/message}}b", v, "a<p>Wrong &lt;b&gt;</p>b");
    check("a{{#empty}}x{{/empty}}b{{^empty}}y{{/empty}}c", v, "abyc");
    check("a{{#nothing}}x{{/nothing}}b{{^message}}z{{/message}}", v, "ab");
    /* An unclosed section drops the rest rather than leaking template text. */
    check("a{{#message}}x", v, "a");
    json_decref(v);
}

static void test_raw_only_when_asked(void **state)
{
    json_t *v = json_pack("{s:s}", "items", "<li>x</li>");

    (void)state;
    check("<ul>{{&items}}</ul><p>{{items}}</p>", v,
          "<ul><li>x</li></ul><p>&lt;li&gt;x&lt;/li&gt;</p>");
    json_decref(v);
}

static void test_escape_helper(void **state)
{
    char *e = pc_html_escape("a<b>&'\"");

    (void)state;
    assert_string_equal(e, "a&lt;b&gt;&amp;&#39;&quot;");
    free(e);
    e = pc_html_escape(NULL);
    assert_string_equal(e, "");
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_are_escaped),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_raw_only_when_asked),
        cmocka_unit_test(test_escape_helper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
