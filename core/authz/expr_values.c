/* SPDX-License-Identifier: Apache-2.0 */
/* The value types conditions compare beside JSON's own: RFC 3339 times and CIDR networks. */
#include "authz/expr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Read exactly n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return 0;
        *v = *v * 10 + (**p - '0');
    }
    return 1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long days_from_civil(int y, int m, int d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The "Z" or "+hh:mm" / "-hh:mm" at *p, as seconds east of UTC. */
static int zone(const char *p, int *offset)
{
    int sign, h, m;

    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *offset = 0;
        return 1;
    }
    if (*p != '+' && *p != '-')
        return 0;
    sign = *p++ == '-' ? -1 : 1;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &m) || *p != '\0' || h > 23 || m > 59)
        return 0;
    *offset = sign * (h * 3600 + m * 60);
    return 1;
}

/* RFC 3339 §5.6 date-time; the seconds may be left out, as AuthZEN's examples do. */
int pc_pdp_time_parse(const char *s, double *out)
{
    const char *p = s;
    int y, mo, d, h, mi, sec = 0, off;
    double frac = 0, scale = 0.1;

    if (s == NULL || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        return 0;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
        return 0;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &sec))
            return 0;
        if (*p == '.') {
            if (!isdigit((unsigned char)*++p))
                return 0;
            for (; isdigit((unsigned char)*p); p++, scale /= 10)
                frac += (*p - '0') * scale;
        }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || !zone(p, &off))
        return 0;
    *out = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600 + mi * 60 + sec + frac - off;
    return 1;
}

int pc_pdp_net_parse(const char *s, pc_pdp_net *out)
{
    char buf[64];
    const char *slash;
    size_t n;
    char *end;
    long bits;

    if (s == NULL || (n = strlen(s)) >= sizeof buf)
        return 0;
    memcpy(buf, s, n + 1);
    slash = strchr(s, '/');
    if (slash != NULL)
        buf[slash - s] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1)
        out->family = 4;
    else if (inet_pton(AF_INET6, buf, out->addr) == 1)
        out->family = 6;
    else
        return 0;
    out->bits = out->family == 4 ? 32 : 128;
    if (slash == NULL)
        return 1;
    if (!isdigit((unsigned char)slash[1]))
        return 0;
    bits = strtol(slash + 1, &end, 10);
    if (*end != '\0' || bits > out->bits)
        return 0;
    out->bits = (int)bits;
    return 1;
}

int pc_pdp_net_contains(const pc_pdp_net *net, const char *ip)
{
    unsigned char a[16] = {0};
    int family;
    int full, rest;

    if (ip == NULL || strchr(ip, '/') != NULL)
        return 0;
    if (inet_pton(AF_INET, ip, a) == 1)
        family = 4;
    else if (inet_pton(AF_INET6, ip, a) == 1)
        family = 6;
    else
        return 0;
    if (family != net->family)
        return 0;
    full = net->bits / 8;
    rest = net->bits % 8;
    if (memcmp(a, net->addr, (size_t)full) != 0)
        return 0;
    return rest == 0 || ((a[full] ^ net->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}
