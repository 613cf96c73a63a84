/* SPDX-License-Identifier: Apache-2.0 */
/* Who sent a request: the peer, or behind a trusted proxy the client it names; and its request id. */
#ifndef PC_HTTP_PROXY_H
#define PC_HTTP_PROXY_H

#include <stddef.h>

typedef struct pc_req pc_req;

/**
 * Set the proxies whose forwarding headers are believed: a list of addresses
 * or CIDR blocks separated by commas or spaces ("10.0.0.0/8, ::1"). NULL or ""
 * trusts none. 0, or -1 with a message naming the bad entry. Call before start.
 */
int pc_http_proxies_configure(const char *list, char *err, size_t errlen);

/**
 * Fill rq->ip: the peer's address, or, when the peer is a trusted proxy, the
 * nearest untrusted address of Forwarded (RFC 7239 for=) or X-Forwarded-For.
 * Also rq->request_id: X-Request-Id from a trusted proxy when it is 1..64
 * characters of [A-Za-z0-9._-], else a new random one.
 */
void pc_http_identify(pc_req *rq);

#endif
