/* SPDX-License-Identifier: Apache-2.0 */
/* Redirect URIs: exact matching against registrations, building redirects with parameters, origins. */
#ifndef PC_OAUTH2_REDIRECT_H
#define PC_OAUTH2_REDIRECT_H
#include <stddef.h>
#include <jansson.h>

/** RFC 6749 §3.1.2.3 / OIDC Core §3.1.2.1: is `uri` one of `registered` (a JSON array), exactly? */
int pc_redirect_uri_registered(const json_t *registered, const char *uri);
/**
 * May an authorization request send the browser to `uri`? Exactly a
 * registered URI, or (RFC 8252 §7.3) a loopback one differing only by port.
 */
int pc_redirect_uri_allowed(const json_t *registered, const char *uri);
/**
 * Is `s` acceptable as a registered redirect URI: absolute ("scheme://..."),
 * or a private-use scheme of RFC 8252 §7.1 ("com.example.app:/cb"); no
 * fragment, no spaces or control characters.
 */
int pc_redirect_uri_valid(const char *s);
/**
 * `uri` with query parameters appended (RFC 6749 §4.1.2: keep the URI's own
 * query). `pairs` is a NULL-terminated list of name, value; a NULL value
 * skips its name. Returns a new string.
 */
char *pc_redirect_with(const char *uri, const char *const *pairs);
/** Percent-encode everything but RFC 3986 unreserved characters; new string. */
char *pc_url_encode(const char *s);
/**
 * The origin ("scheme://host[:port]", lowercase scheme and host) of an
 * absolute http or https URI, into buf; 0 if it has none.
 */
int pc_redirect_origin(const char *uri, char *buf, size_t len);
#endif
