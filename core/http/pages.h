/* SPDX-License-Identifier: Apache-2.0 */
/* The webapp's page shells rendered with values filled in safely, and the cookies the pages use. */
#ifndef PC_HTTP_PAGES_H
#define PC_HTTP_PAGES_H
#include <stdint.h>
#include "http/request.h"

/* The strict CSP of the pages (which call the API of their own origin); the consoles' forms post only there. */
#define PC_CSP_PAGES                                                                  \
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " \
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
#define PC_CSP_CONSOLE PC_CSP_PAGES "; form-action 'self'"

/** The webapp directory: the webapp_dir setting, else the source tree's (PC_BUILD_WEBAPP_DIR). */
const char *pc_webapp_dir(void);

/** HTML-escape `s` for text and quoted attribute values (new; NULL gives ""). */
char *pc_html_escape(const char *s);
/**
 * Fill a template (new string): {{key}} is the HTML-escaped string value of
 * `key` in `vars` ("" if absent); {{#key}}...{{/key}} keeps its inside only
 * when the value is a non-empty string, {{^key}}...{{/key}} only when not;
 * {{&key}} inserts the value as is (only for HTML built and escaped in C).
 */
char *pc_page_render(const char *tpl, const json_t *vars);
/**
 * Reply with webapp/<name>.html filled from `vars` (borrowed) plus
 * asset_base, tenant_name and issuer; no-store, framing forbidden, a strict CSP.
 */
void pc_page_reply(pc_req *rq, unsigned status, const char *name, const json_t *vars);
/**
 * Reply with the console shell webapp/<name>.html (API.md §13): the page
 * headers and CSP, plus connect-src 'self' for the console's own API calls.
 */
void pc_console_reply(pc_req *rq, const char *name);
/** The headers of console pages and their assets (no-store, no framing, the console CSP). */
void pc_console_headers(pc_req *rq);
/** The error page with a message for the person (never JSON). */
void pc_page_error(pc_req *rq, unsigned status, const char *error, const char *message);

/** A cookie of the request, or NULL. */
const char *pc_req_cookie(const pc_req *rq, const char *name);
/**
 * Set a cookie on the tenant's paths (HttpOnly, SameSite=Lax, Secure when
 * PUBLIC_URL is https) for max_age seconds, or clear it (value NULL).
 */
void pc_reply_cookie(pc_req *rq, const char *name, const char *value, int64_t max_age);
#endif
