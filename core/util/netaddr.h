/* SPDX-License-Identifier: Apache-2.0 */
/* IP address classification for outbound calls: public, private, loopback, link-local, and never-routable. */
#ifndef PC_UTIL_NETADDR_H
#define PC_UTIL_NETADDR_H
#include <stddef.h>
#include <sys/socket.h>

/** What an address is, for deciding whether the server may connect to it. */
typedef enum pc_netaddr_class {
    PC_NETADDR_PUBLIC = 0,  /**< globally routable */
    PC_NETADDR_PRIVATE,     /**< RFC 1918, 100.64/10, 198.18/15, fc00::/7, fec0::/10 */
    PC_NETADDR_LOOPBACK,    /**< 127/8, ::1 */
    PC_NETADDR_LINK_LOCAL,  /**< 169.254/16, fe80::/10 */
    PC_NETADDR_UNSPECIFIED, /**< 0/8, :: (Linux connects 0.0.0.0 to this host) */
    PC_NETADDR_MULTICAST,   /**< 224/4, ff00::/8 */
    PC_NETADDR_RESERVED     /**< documentation, broadcast, 240/4, unknown families, ... */
} pc_netaddr_class;

/** Classify a socket address (AF_INET or AF_INET6; anything else is RESERVED). */
pc_netaddr_class pc_netaddr_classify(const struct sockaddr *sa, size_t len);
/** A word for logs: "public", "private", "loopback", ... (static). */
const char *pc_netaddr_class_str(pc_netaddr_class c);
/**
 * May a call on a tenant's behalf connect to an address of this class?
 * Public always; private, loopback and link-local only with `allow_private`;
 * the others never.
 */
int pc_netaddr_allowed(pc_netaddr_class c, int allow_private);
/**
 * Parse a numeric address: dotted-quad IPv4 (exactly four decimal parts) or
 * IPv6, with or without [brackets]. Returns 1 and fills *out, or 0 when
 * `text` is not an address literal (a host name).
 */
int pc_netaddr_parse(const char *text, struct sockaddr_storage *out);
/**
 * Parse a listening address: "IPV4:PORT" or "[IPV6]:PORT", the port 1-65535.
 * Returns 1 and fills *out (its port set), or 0 when `text` is anything else.
 */
int pc_netaddr_parse_hostport(const char *text, struct sockaddr_storage *out);
/** The address in printable form (numeric, IPv6 without brackets) into buf. */
const char *pc_netaddr_str(const struct sockaddr *sa, char *buf, size_t len);
#endif
