/* SPDX-License-Identifier: Apache-2.0 */
/* IP address classification for outbound calls: public, private, loopback, link-local, and never-routable. */
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One IPv4 block: network (host order), prefix length, class (IANA special-purpose registry). */
typedef struct v4_block {
    uint32_t net;
    unsigned prefix;
    pc_netaddr_class cls;
} v4_block;

#define V4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const v4_block v4_blocks[] = {
    {V4(0, 0, 0, 0), 8, PC_NETADDR_UNSPECIFIED},     /* RFC 1122 "this network" */
    {V4(10, 0, 0, 0), 8, PC_NETADDR_PRIVATE},        /* RFC 1918 */
    {V4(100, 64, 0, 0), 10, PC_NETADDR_PRIVATE},     /* RFC 6598 shared (carrier NAT) */
    {V4(127, 0, 0, 0), 8, PC_NETADDR_LOOPBACK},      /* RFC 1122 */
    {V4(169, 254, 0, 0), 16, PC_NETADDR_LINK_LOCAL}, /* RFC 3927, cloud metadata lives here */
    {V4(172, 16, 0, 0), 12, PC_NETADDR_PRIVATE},     /* RFC 1918 */
    {V4(192, 0, 0, 0), 24, PC_NETADDR_RESERVED},     /* RFC 6890 protocol assignments */
    {V4(192, 0, 2, 0), 24, PC_NETADDR_RESERVED},     /* RFC 5737 documentation */
    {V4(192, 88, 99, 0), 24, PC_NETADDR_RESERVED},   /* RFC 7526 6to4 relay, deprecated */
    {V4(192, 168, 0, 0), 16, PC_NETADDR_PRIVATE},    /* RFC 1918 */
    {V4(198, 18, 0, 0), 15, PC_NETADDR_PRIVATE},     /* RFC 2544 benchmarking */
    {V4(198, 51, 100, 0), 24, PC_NETADDR_RESERVED},  /* RFC 5737 documentation */
    {V4(203, 0, 113, 0), 24, PC_NETADDR_RESERVED},   /* RFC 5737 documentation */
    {V4(224, 0, 0, 0), 4, PC_NETADDR_MULTICAST},     /* RFC 5771 */
    {V4(240, 0, 0, 0), 4, PC_NETADDR_RESERVED},      /* RFC 1112 future use, and broadcast */
};

static pc_netaddr_class classify_v4(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_blocks / sizeof *v4_blocks; i++) {
        uint32_t mask = 0xffffffffu << (32 - v4_blocks[i].prefix);
        if ((a & mask) == v4_blocks[i].net)
            return v4_blocks[i].cls;
    }
    return PC_NETADDR_PUBLIC;
}

static uint32_t v4_at(const uint8_t *b)
{
    return V4(b[0], b[1], b[2], b[3]);
}

static int all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

/* Addresses that carry an IPv4 address the packets end up at: judged by that address. */
static int embedded_v4(const uint8_t *b, uint32_t *v4)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) { /* RFC 4291, RFC 6052 */
        *v4 = v4_at(b + 12);
        return 1;
    }
    if (b[0] == 0x20 && b[1] == 0x02) { /* RFC 3056 6to4: 2002:AABB:CCDD::/48 */
        *v4 = v4_at(b + 2);
        return 1;
    }
    return 0;
}

static pc_netaddr_class classify_v6(const uint8_t *b)
{
    uint32_t v4;

    if (all_zero(b, 16))
        return PC_NETADDR_UNSPECIFIED;
    if (all_zero(b, 15) && b[15] == 1)
        return PC_NETADDR_LOOPBACK;
    if (embedded_v4(b, &v4))
        return classify_v4(v4);
    if (b[0] == 0xff)
        return PC_NETADDR_MULTICAST;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return PC_NETADDR_LINK_LOCAL; /* fe80::/10 */
    if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0))
        return PC_NETADDR_PRIVATE; /* fc00::/7 unique local, fec0::/10 old site-local */
    if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
        return PC_NETADDR_PRIVATE; /* RFC 8215 local-use NAT64 64:ff9b:1::/48 */
    if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||
        (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02))
        return PC_NETADDR_RESERVED; /* 2001:db8::/32 documentation, 2001::/23 (Teredo, ORCHID) */
    if ((b[0] & 0xe0) != 0x20)
        return PC_NETADDR_RESERVED; /* outside 2000::/3 global unicast: ::/96, 100::/64, ... */
    return PC_NETADDR_PUBLIC;
}

pc_netaddr_class pc_netaddr_classify(const struct sockaddr *sa, size_t len)
{
    if (sa == NULL)
        return PC_NETADDR_RESERVED;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
        return classify_v4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
        return classify_v6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return PC_NETADDR_RESERVED;
}

const char *pc_netaddr_class_str(pc_netaddr_class c)
{
    static const char *const names[] = {"public",      "private",   "loopback", "link-local",
                                        "unspecified", "multicast", "reserved"};

    return (unsigned)c < sizeof names / sizeof *names ? names[c] : "reserved";
}

int pc_netaddr_allowed(pc_netaddr_class c, int allow_private)
{
    if (c == PC_NETADDR_PUBLIC)
        return 1;
    return allow_private &&
           (c == PC_NETADDR_PRIVATE || c == PC_NETADDR_LOOPBACK || c == PC_NETADDR_LINK_LOCAL);
}

int pc_netaddr_parse(const char *text, struct sockaddr_storage *out)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = text ? strlen(text) : 0;

    memset(out, 0, sizeof *out);
    if (n == 0 || n >= sizeof buf)
        return 0;
    /* inet_pton(AF_INET) takes only the four-part decimal form: "127.1" is a host name here */
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        return 1;
    }
    if (text[0] == '[' && text[n - 1] == ']') {
        memcpy(buf, text + 1, n - 2);
        buf[n - 2] = '\0';
    } else {
        memcpy(buf, text, n + 1);
    }
    if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        return 1;
    }
    memset(out, 0, sizeof *out);
    return 0;
}

int pc_netaddr_parse_hostport(const char *text, struct sockaddr_storage *out)
{
    const char *colon = text ? strrchr(text, ':') : NULL;
    char host[INET6_ADDRSTRLEN + 2], *end;
    size_t n = colon ? (size_t)(colon - text) : 0;
    long port;

    memset(out, 0, sizeof *out);
    if (colon == NULL || n == 0 || n >= sizeof host)
        return 0;
    memcpy(host, text, n);
    host[n] = '\0';
    /* an IPv6 address needs its brackets, or its last group would read as the port */
    if (strchr(host, ':') != NULL && host[0] != '[')
        return 0;
    port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535 ||
        !pc_netaddr_parse(host, out))
        return 0;
    if (out->ss_family == AF_INET)
        ((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)port);
    return 1;
}

const char *pc_netaddr_str(const struct sockaddr *sa, char *buf, size_t len)
{
    const void *a = NULL;

    if (sa != NULL && sa->sa_family == AF_INET)
        a = &((const struct sockaddr_in *)sa)->sin_addr;
    else if (sa != NULL && sa->sa_family == AF_INET6)
        a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (a == NULL || inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
    return buf;
}
