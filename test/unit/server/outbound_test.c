/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/server/outbound.c: the save-time URL rule (API.md §20) and header values. */
#include "test_support.h"
#include "server/outbound.h"

#include <curl/curl.h>
#include <string.h>

typedef struct url_case {
    const char *url;
    unsigned flags;
    int allow_private;
    int ok;
} url_case;

#define LOOP PC_OUTBOUND_HTTP_LOOPBACK
#define ANY (PC_OUTBOUND_HTTP_LOOPBACK | PC_OUTBOUND_HTTP_ANY)

static const url_case cases[] = {
    {"https://sms.example.test/send", 0, 0, 1},
    {"https://sms.example.test/send", LOOP, 0, 1},
    {"HTTPS://sms.example.test/send", 0, 0, 1},
    {"http://sms.example.test/send", 0, 0, 0},
    {"http://127.0.0.1:9/send", 0, 0, 0}, /* plain HTTP only where the caller allows it */
    {"http://127.0.0.1:9/send", LOOP, 0, 1},
    {"http://127.9.8.7/send", LOOP, 0, 1},
    {"http://[::1]:9/send", LOOP, 0, 1},
    {"http://[::ffff:127.0.0.1]:9/send", LOOP, 0, 1},
    {"http://127.0.0.1.evil.example/send", LOOP, 0, 0}, /* a name, not an address */
    {"http://localhost:9/send", LOOP, 0, 0},            /* a name is never loopback */
    {"http://localhost:9/send", LOOP, 1, 0},
    {"http://127.0.0.1@evil.example/send", LOOP, 0, 0}, /* userinfo: the host is evil.example */
    {"http://10.0.0.1/send", LOOP, 0, 0},
    {"http://sms.example.test/send", ANY, 0, 0}, /* allow_insecure needs the server setting */
    {"http://sms.example.test/send", ANY, 1, 1},
    {"ftp://127.0.0.1/x", LOOP, 1, 0},
    {"file:///etc/passwd", ANY, 1, 0},
    {"https://", 0, 0, 0},
    {"sms.example.test/send", 0, 0, 0},
    {"https://sms.example.test/a b", 0, 0, 0},
    {"https://sms.example.test/\r\nX-Evil: 1", 0, 0, 0},
    {NULL, 0, 0, 0},
};

static void test_url_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *problem =
            pc_outbound_url_problem(cases[i].url, cases[i].flags, cases[i].allow_private);
        if ((problem == NULL) != cases[i].ok)
            fail_msg("%s (flags %u, private %d): %s", cases[i].url ? cases[i].url : "NULL",
                     cases[i].flags, cases[i].allow_private, problem ? problem : "accepted");
        if (problem != NULL)
            assert_true(strncmp(problem, "url", 3) == 0);
    }
}

static void test_header_safe(void **state)
{
    (void)state;
    assert_true(pc_outbound_header_safe("Authorization: Bearer abc"));
    assert_true(pc_outbound_header_safe("X-A: a\tb"));
    assert_false(pc_outbound_header_safe("Authorization: Bearer abc\r\nX-Evil: 1"));
    assert_false(pc_outbound_header_safe("X-A: a\nb"));
    assert_false(pc_outbound_header_safe("X-A: a\rb"));
    assert_false(pc_outbound_header_safe(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_rule),
        cmocka_unit_test(test_header_safe),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
