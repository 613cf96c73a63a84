/* SPDX-License-Identifier: Apache-2.0 */
/* Who sent a request: the peer, or behind a trusted proxy the client it names; and its request id. */
#include "http/proxy.h"
#include "http/request.h"
#include "util/crypto.h"
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ulfius.h>

#define MAX_PROXIES 32
#define MAX_HOPS 16 /* forwarding entries looked at, from the right */

typedef struct block {
    int family;
    unsigned char addr[16];
    unsigned bits;
} block;

static block proxies[MAX_PROXIES];
static size_t nproxies;

/* An address as family and bytes; 0 if it is none. */
static int to_bytes(const struct sockaddr *sa, int *family, unsigned char out[16])
{
    if (sa->sa_family == AF_INET) {
        *family = AF_INET;
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return 1;
    }
    if (sa->sa_family == AF_INET6) {
        const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        /* ::ffff:a.b.c.d is the IPv4 peer a dual-stack socket reports */
        *family = memcmp(b, mapped, 12) == 0 ? AF_INET : AF_INET6;
        memcpy(out, *family == AF_INET ? b + 12 : b, *family == AF_INET ? 4 : 16);
        return 1;
    }
    return 0;
}

static int parse_block(const char *text, block *out)
{
    char host[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    struct sockaddr_storage ss;
    unsigned max;
    char *end;

    if (n == 0 || n >= sizeof host)
        return -1;
    memcpy(host, text, n);
    host[n] = '\0';
    if (!pc_netaddr_parse(host, &ss) || !to_bytes((struct sockaddr *)&ss, &out->family, out->addr))
        return -1;
    max = out->family == AF_INET ? 32 : 128;
    out->bits = max;
    if (slash != NULL) {
        unsigned long b = strtoul(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || b > max)
            return -1;
        out->bits = (unsigned)b;
    }
    return 0;
}

int pc_http_proxies_configure(const char *list, char *err, size_t errlen)
{
    char *copy = list ? strdup(list) : NULL, *save = NULL;
    int rc = 0;

    nproxies = 0;
    for (char *t = copy ? strtok_r(copy, ", \t", &save) : NULL; t && rc == 0;
         t = strtok_r(NULL, ", \t", &save)) {
        if (nproxies == MAX_PROXIES || parse_block(t, &proxies[nproxies]) != 0) {
            snprintf(err, errlen,
                     "PORTCULLIS_TRUSTED_PROXIES: \"%s\" is not an address or CIDR block (at most "
                     "%d entries)",
                     t, MAX_PROXIES);
            rc = -1;
        }
        nproxies++;
    }
    if (rc != 0)
        nproxies = 0;
    free(copy);
    return rc;
}

static int in_block(const block *b, int family, const unsigned char *a)
{
    unsigned full = b->bits / 8, rest = b->bits % 8;

    if (b->family != family || memcmp(b->addr, a, full) != 0)
        return 0;
    return rest == 0 || ((b->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int trusted_bytes(int family, const unsigned char *a)
{
    for (size_t i = 0; i < nproxies; i++)
        if (in_block(&proxies[i], family, a))
            return 1;
    return 0;
}

/* A forwarded address literal (quotes, brackets and a port removed) that is trusted, 1; 0 if not; -1 if no address. */
static int hop_trusted(const char *hop, char *norm, size_t len)
{
    char buf[80];
    size_t n = strlen(hop);
    struct sockaddr_storage ss;
    unsigned char a[16];
    int family;

    if (n >= sizeof buf)
        return -1;
    memcpy(buf, hop, n + 1);
    if (buf[0] == '[' && strchr(buf, ']') != NULL) {
        *strchr(buf, ']') = '\0'; /* [v6]:port */
        memmove(buf, buf + 1, strlen(buf));
    } else if (strchr(buf, ':') != NULL && strchr(buf, ':') == strrchr(buf, ':')) {
        *strchr(buf, ':') = '\0'; /* v4:port */
    }
    if (!pc_netaddr_parse(buf, &ss) || !to_bytes((struct sockaddr *)&ss, &family, a))
        return -1;
    pc_netaddr_str((struct sockaddr *)&ss, norm, len);
    return trusted_bytes(family, a);
}

/* The address of one Forwarded element (for=...), quotes removed, in place; NULL if none. */
static char *forwarded_for(char *element)
{
    char *save = NULL;

    for (char *pair = strtok_r(element, ";", &save); pair; pair = strtok_r(NULL, ";", &save)) {
        char *v;
        while (*pair == ' ' || *pair == '\t')
            pair++;
        if (strncasecmp(pair, "for=", 4) != 0)
            continue;
        v = pair + 4;
        if (*v == '"') {
            v++;
            if (strchr(v, '"'))
                *strchr(v, '"') = '\0';
        }
        return v;
    }
    return NULL;
}

/*
 * Walk the list from the right (the hop nearest to us) past trusted proxies; the first
 * untrusted address is the client. An entry that is no address ends the walk.
 */
static void walk_hops(const char *header, int forwarded, char *ip, size_t iplen)
{
    char *copy = strdup(header), *hops[64], *save = NULL, norm[64];
    size_t n = 0;

    if (copy == NULL)
        return;
    for (char *t = strtok_r(copy, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
        hops[n++] = t;
    for (size_t i = n, seen = 0; i > 0 && seen < MAX_HOPS; i--, seen++) {
        char *h = forwarded ? forwarded_for(hops[i - 1]) : hops[i - 1];
        int t;
        while (h && (*h == ' ' || *h == '\t'))
            h++;
        if (h && strchr(h, ' '))
            *strchr(h, ' ') = '\0';
        t = h ? hop_trusted(h, norm, sizeof norm) : -1;
        if (t < 0)
            break;
        snprintf(ip, iplen, "%s", norm);
        if (t == 0)
            break;
    }
    free(copy);
}

static int valid_request_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > 64)
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void new_request_id(char *out)
{
    unsigned char b[16];
    static const char hex[] = "0123456789abcdef";

    pc_random(b, sizeof b);
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * sizeof b] = '\0';
}

void pc_http_identify(pc_req *rq)
{
    const struct sockaddr *sa = rq->u->client_address;
    unsigned char a[16];
    int family, trusted = 0;
    const char *fwd, *id;

    rq->ip[0] = '\0';
    if (sa != NULL && to_bytes(sa, &family, a)) {
        inet_ntop(family, a, rq->ip, sizeof rq->ip);
        trusted = nproxies > 0 && trusted_bytes(family, a);
    }
    id = trusted ? pc_req_header(rq, "X-Request-Id") : NULL;
    if (valid_request_id(id))
        snprintf(rq->request_id, sizeof rq->request_id, "%s", id);
    else
        new_request_id(rq->request_id);
    if (!trusted)
        return;
    /* RFC 7239 first; X-Forwarded-For for proxies that only send that. */
    if ((fwd = pc_req_header(rq, "Forwarded")) != NULL)
        walk_hops(fwd, 1, rq->ip, sizeof rq->ip);
    else if ((fwd = pc_req_header(rq, "X-Forwarded-For")) != NULL)
        walk_hops(fwd, 0, rq->ip, sizeof rq->ip);
}
