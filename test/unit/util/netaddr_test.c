/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/util/netaddr.c: which IPv4 and IPv6 addresses are public, private, loopback, or never reachable. */
#include "test_support.h"
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

typedef struct addr_case {
    const char *text;
    pc_netaddr_class expected;
} addr_case;

static const addr_case cases[] = {
    /* IPv4 */
    {"8.8.8.8", PC_NETADDR_PUBLIC},
    {"1.1.1.1", PC_NETADDR_PUBLIC},
    {"93.184.216.34", PC_NETADDR_PUBLIC},
    {"0.0.0.0", PC_NETADDR_UNSPECIFIED},
    {"0.255.255.255", PC_NETADDR_UNSPECIFIED},
    {"10.0.0.1", PC_NETADDR_PRIVATE},
    {"10.255.255.255", PC_NETADDR_PRIVATE},
    {"11.0.0.1", PC_NETADDR_PUBLIC},
    {"100.63.255.255", PC_NETADDR_PUBLIC},
    {"100.64.0.1", PC_NETADDR_PRIVATE},
    {"100.127.255.255", PC_NETADDR_PRIVATE},
    {"100.128.0.0", PC_NETADDR_PUBLIC},
    {"127.0.0.1", PC_NETADDR_LOOPBACK},
    {"127.255.255.254", PC_NETADDR_LOOPBACK},
    {"169.254.169.254", PC_NETADDR_LINK_LOCAL}, /* cloud metadata */
    {"169.255.0.1", PC_NETADDR_PUBLIC},
    {"172.15.255.255", PC_NETADDR_PUBLIC},
    {"172.16.0.1", PC_NETADDR_PRIVATE},
    {"172.31.255.255", PC_NETADDR_PRIVATE},
    {"172.32.0.0", PC_NETADDR_PUBLIC},
    {"192.0.0.8", PC_NETADDR_RESERVED},
    {"192.0.2.1", PC_NETADDR_RESERVED},
    {"192.88.99.1", PC_NETADDR_RESERVED},
    {"192.167.255.255", PC_NETADDR_PUBLIC},
    {"192.168.1.1", PC_NETADDR_PRIVATE},
    {"192.169.0.0", PC_NETADDR_PUBLIC},
    {"198.17.255.255", PC_NETADDR_PUBLIC},
    {"198.18.0.1", PC_NETADDR_PRIVATE},
    {"198.19.255.255", PC_NETADDR_PRIVATE},
    {"198.20.0.0", PC_NETADDR_PUBLIC},
    {"198.51.100.7", PC_NETADDR_RESERVED},
    {"203.0.113.9", PC_NETADDR_RESERVED},
    {"223.255.255.255", PC_NETADDR_PUBLIC},
    {"224.0.0.1", PC_NETADDR_MULTICAST},
    {"239.255.255.250", PC_NETADDR_MULTICAST},
    {"240.0.0.1", PC_NETADDR_RESERVED},
    {"255.255.255.255", PC_NETADDR_RESERVED},
    /* IPv6 */
    {"2606:4700:4700::1111", PC_NETADDR_PUBLIC},
    {"2a00:1450:4001:80b::200e", PC_NETADDR_PUBLIC},
    {"::", PC_NETADDR_UNSPECIFIED},
    {"::1", PC_NETADDR_LOOPBACK},
    {"[::1]", PC_NETADDR_LOOPBACK},
    {"::2", PC_NETADDR_RESERVED},
    {"::127.0.0.1", PC_NETADDR_RESERVED}, /* IPv4-compatible, deprecated */
    {"::ffff:127.0.0.1", PC_NETADDR_LOOPBACK},
    {"::ffff:7f00:1", PC_NETADDR_LOOPBACK},
    {"::ffff:10.1.2.3", PC_NETADDR_PRIVATE},
    {"::ffff:169.254.169.254", PC_NETADDR_LINK_LOCAL},
    {"::ffff:0.0.0.0", PC_NETADDR_UNSPECIFIED},
    {"::ffff:8.8.8.8", PC_NETADDR_PUBLIC},
    {"64:ff9b::127.0.0.1", PC_NETADDR_LOOPBACK},
    {"64:ff9b::8.8.8.8", PC_NETADDR_PUBLIC},
    {"64:ff9b:1::1", PC_NETADDR_PRIVATE},
    {"2002:7f00:1::1", PC_NETADDR_LOOPBACK}, /* 6to4 of 127.0.0.1 */
    {"2002:c0a8:101::1", PC_NETADDR_PRIVATE},
    {"2002:808:808::1", PC_NETADDR_PUBLIC},
    {"fc00::1", PC_NETADDR_PRIVATE},
    {"fd12:3456:789a::1", PC_NETADDR_PRIVATE},
    {"fe80::1", PC_NETADDR_LINK_LOCAL},
    {"febf:ffff::1", PC_NETADDR_LINK_LOCAL},
    {"fec0::1", PC_NETADDR_PRIVATE},
    {"ff02::1", PC_NETADDR_MULTICAST},
    {"2001:db8::1", PC_NETADDR_RESERVED},
    {"2001::1", PC_NETADDR_RESERVED}, /* Teredo */
    {"2001:200::1", PC_NETADDR_PUBLIC},
    {"100::1", PC_NETADDR_RESERVED},
    {"4000::1", PC_NETADDR_RESERVED},
};

static void test_classification_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct sockaddr_storage ss;
        pc_netaddr_class got;
        if (!pc_netaddr_parse(cases[i].text, &ss))
            fail_msg("%s does not parse", cases[i].text);
        got = pc_netaddr_classify((struct sockaddr *)&ss, sizeof ss);
        if (got != cases[i].expected)
            fail_msg("%s: %s, expected %s", cases[i].text, pc_netaddr_class_str(got),
                     pc_netaddr_class_str(cases[i].expected));
    }
}

/* Host names and the odd IPv4 spellings some parsers accept are not literals here. */
static void test_parse_refuses_names(void **state)
{
    static const char *const names[] = {"localhost",  "127.0.0.1.evil.example",
                                        "127.1",      "0x7f.0.0.1",
                                        "2130706433", "017700000001",
                                        "127.0.0.1 ", "[127.0.0.1]",
                                        "",           "[::1",
                                        "::1]",       "example.com",
                                        NULL};
    struct sockaddr_storage ss;

    (void)state;
    for (size_t i = 0; names[i] != NULL; i++)
        if (pc_netaddr_parse(names[i], &ss))
            fail_msg("\"%s\" parsed as an address", names[i]);
    assert_false(pc_netaddr_parse(NULL, &ss));
}

static void test_allowed(void **state)
{
    (void)state;
    assert_true(pc_netaddr_allowed(PC_NETADDR_PUBLIC, 0));
    assert_true(pc_netaddr_allowed(PC_NETADDR_PUBLIC, 1));
    for (int c = PC_NETADDR_PRIVATE; c <= PC_NETADDR_LINK_LOCAL; c++) {
        assert_false(pc_netaddr_allowed((pc_netaddr_class)c, 0));
        assert_true(pc_netaddr_allowed((pc_netaddr_class)c, 1));
    }
    for (int c = PC_NETADDR_UNSPECIFIED; c <= PC_NETADDR_RESERVED; c++) {
        assert_false(pc_netaddr_allowed((pc_netaddr_class)c, 0));
        assert_false(pc_netaddr_allowed((pc_netaddr_class)c, 1));
    }
}

static void test_other_families_and_short_lengths(void **state)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    struct sockaddr un = {.sa_family = AF_UNIX};

    (void)state;
    inet_pton(AF_INET, "8.8.8.8", &v4.sin_addr);
    inet_pton(AF_INET6, "2606:4700::1", &v6.sin6_addr);
    assert_int_equal(pc_netaddr_classify((struct sockaddr *)&v4, sizeof v4), PC_NETADDR_PUBLIC);
    assert_int_equal(pc_netaddr_classify((struct sockaddr *)&v6, sizeof v6), PC_NETADDR_PUBLIC);
    assert_int_equal(pc_netaddr_classify((struct sockaddr *)&v4, 4), PC_NETADDR_RESERVED);
    assert_int_equal(pc_netaddr_classify((struct sockaddr *)&v6, sizeof v4), PC_NETADDR_RESERVED);
    assert_int_equal(pc_netaddr_classify(&un, sizeof un), PC_NETADDR_RESERVED);
    assert_int_equal(pc_netaddr_classify(NULL, 0), PC_NETADDR_RESERVED);
}

static void test_hostport(void **state)
{
    static const char *bad[] = {"",           "8080",        ":8080",           "127.0.0.1",
                                "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x",
                                "::1:8080",   "[::1]",       "[::1]:",          "localhost:8080",
                                "[::1:8080",  "1.2.3:80"};
    struct sockaddr_storage ss;
    char buf[64];

    (void)state;
    assert_int_equal(pc_netaddr_parse_hostport("127.0.0.1:8080", &ss), 1);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
    assert_int_equal(pc_netaddr_parse_hostport("[::1]:65535", &ss), 1);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 65535);
    assert_string_equal(pc_netaddr_str((struct sockaddr *)&ss, buf, sizeof buf), "::1");
    assert_int_equal(pc_netaddr_parse_hostport("[::]:1", &ss), 1);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        print_message("%s\n", bad[i]);
        assert_int_equal(pc_netaddr_parse_hostport(bad[i], &ss), 0);
    }
    assert_int_equal(pc_netaddr_parse_hostport(NULL, &ss), 0);
}

static void test_str(void **state)
{
    struct sockaddr_storage ss;
    char buf[64];

    (void)state;
    assert_true(pc_netaddr_parse("[::ffff:127.0.0.1]", &ss));
    assert_string_equal(pc_netaddr_str((struct sockaddr *)&ss, buf, sizeof buf),
                        "::ffff:127.0.0.1");
    assert_true(pc_netaddr_parse("10.0.0.7", &ss));
    assert_string_equal(pc_netaddr_str((struct sockaddr *)&ss, buf, sizeof buf), "10.0.0.7");
    assert_string_equal(pc_netaddr_class_str(PC_NETADDR_LINK_LOCAL), "link-local");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classification_table),
        cmocka_unit_test(test_parse_refuses_names),
        cmocka_unit_test(test_allowed),
        cmocka_unit_test(test_other_families_and_short_lengths),
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_hostport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
