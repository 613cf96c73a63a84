/* SPDX-License-Identifier: Apache-2.0 */
/* Where calls made on a tenant's behalf may go: the address check at connect time and the URL rule at save time. */
#ifndef PC_SERVER_OUTBOUND_H
#define PC_SERVER_OUTBOUND_H
#include <portcullis/host.h>
#include <stddef.h>
#include <sys/socket.h>

/** The server setting outbound_allow_private (0 before the server is open). */
int pc_outbound_allow_private(void);
/**
 * May a call connect to this resolved address under the server setting?
 * PC_OK, or PC_ERR_DENIED with a warning naming the address and its class.
 */
pc_status pc_outbound_addr_check(const struct sockaddr *sa, size_t len);
/**
 * The save-time rule for a URL the server will call (API.md §20): https://
 * with a host, or http:// when `flags` (PC_OUTBOUND_HTTP_*) allow it;
 * PC_OUTBOUND_HTTP_ANY counts only when `allow_private` is set. NULL, or a
 * static sentence starting with "url".
 */
const char *pc_outbound_url_problem(const char *url, unsigned flags, int allow_private);
/**
 * Make a libcurl easy handle (a CURL *) obey the rule: every socket it opens
 * is checked with pc_outbound_addr_check(), and proxies from the environment
 * are not used (the checked address must be the one connected to).
 */
void pc_outbound_guard(void *curl);
/**
 * pc_outbound_guard for webhook deliveries: private, loopback and link-local
 * addresses are allowed when *allow_private (webhook_allow_private, borrowed
 * for the handle's life) or outbound_allow_private is set.
 */
void pc_outbound_guard_webhook(void *curl, const int *allow_private);
/** Is `s` free of CR, LF and other control characters (a safe header value)? */
int pc_outbound_header_safe(const char *s);
#endif
