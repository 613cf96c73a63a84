/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/authz/expr_*.c: every operator, its edge cases, and the checks made at write time. */
#include "test_support.h"
#include "authz/expr.h"

#include <stdio.h>
#include <string.h>

/* 2026-06-01T12:00:00Z */
#define NOW 1780315200

static const char *input_json =
    "{\"subject\":{\"id\":\"u1\",\"type\":\"user\",\"properties\":{\"roles\":[\"editor\"],"
    "\"blocked\":[\"acc-2\",\"acc-3\"],\"empty\":[],\"ip\":\"10.1.2.3\",\"ip6\":\"2001:db8::5\","
    "\"level\":3,\"ratio\":1.0,\"email\":\"a@example.com\",\"nothing\":null,"
    "\"nets\":[\"192.168.0.0/16\",\"10.0.0.0/8\"]}},"
    "\"resource\":{\"id\":\"acc-2\",\"type\":\"account\",\"properties\":{\"ownerID\":\"u1\","
    "\"expires\":\"2026-06-01T13:00:00Z\",\"created\":\"2026-06-01T11:00:00+02:00\",\"limit\":3}},"
    "\"action\":{\"name\":\"account:read\"},"
    "\"context\":{\"time\":\"2026-06-01T12:00Z\",\"flag\":true,\"n\":\"3\"}}";

typedef struct eval_case {
    const char *condition;
    int expected;
} eval_case;

static const eval_case eval_cases[] = {
    /* eq / ne */
    {"{\"eq\":[\"resource.properties.ownerID\",\"subject.id\"]}", 1},
    {"{\"eq\":[\"subject.id\",\"u2\"]}", 0},
    {"{\"ne\":[\"subject.id\",\"u2\"]}", 1},
    {"{\"eq\":[\"subject.properties.level\",3]}", 1},
    {"{\"eq\":[\"subject.properties.ratio\",1]}", 1}, /* 1.0 == 1 */
    {"{\"eq\":[\"context.n\",3]}", 0},                /* "3" is not 3 */
    {"{\"eq\":[\"context.flag\",true]}", 1},
    {"{\"eq\":[\"subject.properties.missing\",\"x\"]}", 0}, /* missing: false */
    {"{\"ne\":[\"subject.properties.missing\",\"x\"]}", 0}, /* missing: false, also for ne */
    {"{\"eq\":[\"subject.properties.nothing\",\"x\"]}", 0}, /* null counts as missing */
    {"{\"eq\":[\"context.time\",\"now\"]}", 1},             /* a time equals now */
    /* in */
    {"{\"in\":[\"resource.id\",\"subject.properties.blocked\"]}", 1},
    {"{\"in\":[\"subject.id\",\"subject.properties.blocked\"]}", 0},
    {"{\"in\":[\"resource.id\",\"subject.properties.empty\"]}", 0},
    {"{\"in\":[\"resource.id\",\"subject.properties.missing\"]}", 0},
    {"{\"in\":[\"resource.id\",\"subject.properties.email\"]}", 0}, /* not a list at run time */
    {"{\"in\":[\"subject.id\",[\"u1\",\"u9\"]]}", 1},
    {"{\"in\":[\"subject.properties.level\",[1,2,3.0]]}", 1},
    {"{\"in\":[\"subject.id\",[]]}", 0},
    /* contains */
    {"{\"contains\":[\"subject.properties.roles\",\"editor\"]}", 1},
    {"{\"contains\":[\"subject.properties.roles\",\"viewer\"]}", 0},
    {"{\"contains\":[\"subject.properties.empty\",\"viewer\"]}", 0},
    {"{\"contains\":[\"subject.properties.email\",\"@example\"]}", 1},
    {"{\"contains\":[\"subject.properties.level\",3]}", 0}, /* a number holds nothing */
    /* starts_with */
    {"{\"starts_with\":[\"resource.id\",\"acc-\"]}", 1},
    {"{\"starts_with\":[\"resource.id\",\"acc-2-long\"]}", 0},
    {"{\"starts_with\":[\"subject.properties.level\",\"3\"]}", 0},
    {"{\"starts_with\":[\"resource.id\",\"\"]}", 1},
    /* ordering: numbers */
    {"{\"lt\":[\"subject.properties.level\",4]}", 1},
    {"{\"le\":[\"subject.properties.level\",3]}", 1},
    {"{\"gt\":[\"subject.properties.level\",3]}", 0},
    {"{\"ge\":[\"resource.properties.limit\",\"subject.properties.level\"]}", 1},
    {"{\"lt\":[\"context.n\",4]}", 0}, /* "3" is a string, not a number or time */
    /* ordering: times */
    {"{\"lt\":[\"now\",\"resource.properties.expires\"]}", 1},
    {"{\"gt\":[\"now\",\"resource.properties.expires\"]}", 0},
    {"{\"gt\":[\"now\",\"resource.properties.created\"]}", 1}, /* 09:00Z */
    {"{\"ge\":[\"now\",\"2026-06-01T12:00:00Z\"]}", 1},
    {"{\"lt\":[\"now\",\"2026-06-01T14:00:00+02:00\"]}", 0},   /* that is 12:00Z */
    {"{\"le\":[\"now\",\"2026-06-01T14:00:00.5+02:00\"]}", 1}, /* fractions count */
    {"{\"lt\":[\"subject.properties.level\",\"now\"]}", 0},    /* a number is not a time */
    {"{\"lt\":[\"resource.properties.missing\",\"now\"]}", 0},
    /* ip_in */
    {"{\"ip_in\":[\"subject.properties.ip\",\"10.0.0.0/8\"]}", 1},
    {"{\"ip_in\":[\"subject.properties.ip\",\"10.1.2.0/24\"]}", 1},
    {"{\"ip_in\":[\"subject.properties.ip\",\"10.1.3.0/24\"]}", 0},
    {"{\"ip_in\":[\"subject.properties.ip\",\"10.1.2.3\"]}", 1},
    {"{\"ip_in\":[\"subject.properties.ip\",\"0.0.0.0/0\"]}", 1},
    {"{\"ip_in\":[\"subject.properties.ip\",[\"192.168.0.0/16\",\"10.1.2.2/31\"]]}", 1},
    {"{\"ip_in\":[\"subject.properties.ip\",\"::/0\"]}", 0}, /* v4 is not in a v6 net */
    {"{\"ip_in\":[\"subject.properties.ip6\",\"2001:db8::/32\"]}", 1},
    {"{\"ip_in\":[\"subject.properties.ip6\",\"2001:db9::/32\"]}", 0},
    {"{\"ip_in\":[\"subject.properties.ip6\",\"2001:db8::4/127\"]}", 1},
    {"{\"ip_in\":[\"subject.properties.ip\",\"subject.properties.nets\"]}", 1},
    {"{\"ip_in\":[\"subject.properties.email\",\"0.0.0.0/0\"]}", 0}, /* not an address */
    {"{\"ip_in\":[\"subject.properties.missing\",\"0.0.0.0/0\"]}", 0},
    /* exists */
    {"{\"exists\":\"resource.properties.ownerID\"}", 1},
    {"{\"exists\":[\"resource.properties.nope\"]}", 0},
    {"{\"exists\":\"subject.properties.nothing\"}", 0},
    {"{\"exists\":\"resource.properties.ownerID.deeper\"}", 0},
    /* all / any / not */
    {"{\"all\":[{\"eq\":[\"subject.id\",\"u1\"]},{\"eq\":[\"resource.type\",\"account\"]}]}", 1},
    {"{\"all\":[{\"eq\":[\"subject.id\",\"u1\"]},{\"eq\":[\"resource.type\",\"x\"]}]}", 0},
    {"{\"any\":[{\"eq\":[\"subject.id\",\"u2\"]},{\"eq\":[\"action.name\",\"account:read\"]}]}", 1},
    {"{\"any\":[{\"eq\":[\"subject.id\",\"u2\"]},{\"eq\":[\"resource.type\",\"x\"]}]}", 0},
    {"{\"not\":{\"eq\":[\"subject.id\",\"u2\"]}}", 1},
    {"{\"not\":[{\"exists\":\"subject.properties.missing\"}]}", 1},
    {"{\"eq\":[\"subject.type\",\"user\"]}", 1},
};

static json_t *input(void)
{
    json_error_t err;
    json_t *in = json_loads(input_json, 0, &err);

    if (in == NULL)
        fail_msg("fixture: %s", err.text);
    return in;
}

static void test_operators(void **state)
{
    json_t *in = input();
    char why[256];

    (void)state;
    for (size_t i = 0; i < sizeof eval_cases / sizeof *eval_cases; i++) {
        json_t *cond = json_loads(eval_cases[i].condition, 0, NULL);
        pc_expr *e = pc_pdp_expr_compile(cond, why, sizeof why);
        if (e == NULL)
            fail_msg("case %zu %s: does not compile: %s", i, eval_cases[i].condition, why);
        if (pc_pdp_expr_eval(e, in, NOW) != eval_cases[i].expected)
            fail_msg("case %zu %s: should be %d", i, eval_cases[i].condition,
                     eval_cases[i].expected);
        pc_pdp_expr_free(e);
        json_decref(cond);
    }
    json_decref(in);
}

typedef struct compile_case {
    const char *condition;
    const char *reason; /* a part of the message */
} compile_case;

static const compile_case compile_cases[] = {
    {"{\"equals\":[\"subject.id\",\"x\"]}", "unknown operator \"equals\""},
    {"{}", "one operator"},
    {"{\"eq\":[\"a\",\"b\"],\"ne\":[\"a\",\"b\"]}", "one operator"},
    {"[\"eq\"]", "one operator"},
    {"{\"eq\":[\"subject.password_hash\",\"x\"]}", "path \"subject.password_hash\""},
    {"{\"eq\":[\"resource.owner\",\"x\"]}", "path \"resource.owner\""},
    {"{\"eq\":[\"subject.properties.\",\"x\"]}", "path"},
    {"{\"eq\":[\"context..x\",\"x\"]}", "path"},
    {"{\"eq\":[\"context.\",\"x\"]}", "path"},
    {"{\"eq\":[\"action.id\",\"x\"]}", "path"},
    {"{\"eq\":[\"subject.id\"]}", "takes 2 operands"},
    {"{\"eq\":\"subject.id\"}", "takes 2 operands"},
    {"{\"eq\":[\"subject.id\",\"a\",\"b\"]}", "takes 2 operands"},
    {"{\"eq\":[\"subject.id\",3]}", "different types"},
    {"{\"eq\":[\"now\",\"yesterday\"]}", "different types"},
    {"{\"eq\":[\"subject.id\",{\"eq\":[1,1]}]}", "not expressions"},
    {"{\"in\":[\"subject.id\",\"subject.type\"]}", "a value and a list"},
    {"{\"in\":[\"subject.id\",\"abc\"]}", "a value and a list"},
    {"{\"contains\":[\"subject.id\",3]}", "\"contains\""},
    {"{\"contains\":[5,3]}", "\"contains\""},
    {"{\"starts_with\":[\"subject.id\",5]}", "two strings"},
    {"{\"lt\":[\"subject.id\",5]}", "numbers or RFC 3339 times"},
    {"{\"lt\":[\"now\",\"tomorrow\"]}", "numbers or RFC 3339 times"},
    {"{\"lt\":[\"now\",\"2026-13-01T00:00:00Z\"]}", "numbers or RFC 3339 times"},
    {"{\"lt\":[\"now\",\"2026-06-01T00:00:00\"]}", "numbers or RFC 3339 times"}, /* no zone */
    {"{\"gt\":[\"now\",5]}", "a number with a time"},
    {"{\"le\":[true,5]}", "numbers or RFC 3339 times"},
    {"{\"ip_in\":[\"subject.properties.ip\",\"10.0.0.0/33\"]}", "CIDR"},
    {"{\"ip_in\":[\"subject.properties.ip\",\"10.0.0/8\"]}", "CIDR"},
    {"{\"ip_in\":[\"subject.properties.ip\",[]]}", "CIDR"},
    {"{\"ip_in\":[\"subject.properties.ip\",[\"10.0.0.0/8\",5]]}", "CIDR"},
    {"{\"ip_in\":[\"subject.properties.ip\",\"fe80::/129\"]}", "CIDR"},
    {"{\"ip_in\":[\"not-an-ip\",\"10.0.0.0/8\"]}", "IP address first"},
    {"{\"ip_in\":[\"now\",\"10.0.0.0/8\"]}", "not times"},
    {"{\"exists\":\"literal\"}", "takes a path"},
    {"{\"exists\":[\"a\",\"b\"]}", "takes 1 operand"},
    {"{\"all\":[]}", "non-empty list"},
    {"{\"any\":{\"eq\":[1,1]}}", "non-empty list"},
    {"{\"all\":[{\"bogus\":[]}]}", "unknown operator \"bogus\""},
    {"{\"not\":[{\"eq\":[1,1]},{\"eq\":[1,1]}]}", "takes one expression"},
    {"{\"not\":\"subject.id\"}", "one operator"},
};

static void test_compile_errors(void **state)
{
    char why[256];

    (void)state;
    for (size_t i = 0; i < sizeof compile_cases / sizeof *compile_cases; i++) {
        json_t *cond = json_loads(compile_cases[i].condition, JSON_DECODE_ANY, NULL);
        pc_expr *e = pc_pdp_expr_compile(cond, why, sizeof why);
        if (e != NULL)
            fail_msg("case %zu %s: compiled, should not", i, compile_cases[i].condition);
        if (strstr(why, compile_cases[i].reason) == NULL)
            fail_msg("case %zu %s: reason \"%s\" lacks \"%s\"", i, compile_cases[i].condition, why,
                     compile_cases[i].reason);
        json_decref(cond);
    }
}

/* Nesting and size are bounded: a hostile condition cannot exhaust the stack. */
static void test_limits(void **state)
{
    char buf[4096] = "", why[256];
    json_t *cond;
    pc_expr *e;

    (void)state;
    for (int i = 0; i < 40; i++)
        strcat(buf, "{\"not\":");
    strcat(buf, "{\"eq\":[1,1]}");
    for (int i = 0; i < 40; i++)
        strcat(buf, "}");
    cond = json_loads(buf, 0, NULL);
    assert_non_null(cond);
    e = pc_pdp_expr_compile(cond, why, sizeof why);
    assert_null(e);
    assert_non_null(strstr(why, "nests deeper"));
    json_decref(cond);
}

static void test_times(void **state)
{
    double t;

    (void)state;
    assert_true(pc_pdp_time_parse("1970-01-01T00:00:00Z", &t));
    assert_true(t == 0);
    assert_true(pc_pdp_time_parse("2026-06-01T12:00:00Z", &t));
    assert_true(t == NOW);
    assert_true(pc_pdp_time_parse("1985-10-26T01:22-07:00", &t)); /* AuthZEN's example */
    assert_true(t == 499162920);
    assert_true(pc_pdp_time_parse("2000-02-29T00:00:00z", &t));
    assert_true(t == 951782400);
    assert_false(pc_pdp_time_parse("2026-06-01", &t));
    assert_false(pc_pdp_time_parse("2026-06-01T12:00:00+2:00", &t));
    assert_false(pc_pdp_time_parse("2026-06-01T12:00:00Zjunk", &t));
    assert_false(pc_pdp_time_parse("2026-06-01T24:00:00Z", &t));
    assert_false(pc_pdp_time_parse("2026-06-01T12:00:00.Z", &t));
}

static void test_networks(void **state)
{
    pc_pdp_net n;

    (void)state;
    assert_true(pc_pdp_net_parse("192.168.1.0/24", &n));
    assert_true(pc_pdp_net_contains(&n, "192.168.1.255"));
    assert_false(pc_pdp_net_contains(&n, "192.168.2.0"));
    assert_false(pc_pdp_net_contains(&n, "192.168.1.0/24")); /* a network is not an address */
    assert_true(pc_pdp_net_parse("10.0.0.1/31", &n));
    assert_true(pc_pdp_net_contains(&n, "10.0.0.0"));
    assert_false(pc_pdp_net_contains(&n, "10.0.0.2"));
    assert_true(pc_pdp_net_parse("::1", &n));
    assert_true(pc_pdp_net_contains(&n, "::1"));
    assert_false(pc_pdp_net_contains(&n, "::2"));
    assert_false(pc_pdp_net_parse("10.0.0.0/", &n));
    assert_false(pc_pdp_net_parse("10.0.0.0/-1", &n));
    assert_false(pc_pdp_net_parse("10.0.0.0/8x", &n));
    assert_false(pc_pdp_net_parse("host.example/8", &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators), cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_limits),    cmocka_unit_test(test_times),
        cmocka_unit_test(test_networks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
