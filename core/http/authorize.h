/* SPDX-License-Identifier: Apache-2.0 */
/* Shows the browser what the authorization and logout flows decided: a page, a redirect, cookies. */
#ifndef PC_HTTP_AUTHORIZE_H
#define PC_HTTP_AUTHORIZE_H
#include "http/request.h"
#include "oauth2/authorize.h"

#define PC_COOKIE_SESSION "pc_session"
#define PC_COOKIE_CSRF "pc_csrf"

/** Fill the protocol input from the request: query parameters for GET, the form for POST. */
void pc_http_web_in(pc_req *rq, pc_web_in *in);
/** The MFA page's values (method words, the choice of other methods) added to `vars`. */
void pc_http_mfa_page_vars(const pc_req *rq, const pc_web_out *out, json_t *vars);
/** The organization picker's values (one button per organization) added to `vars` (API.md §18). */
void pc_http_org_page_vars(const pc_req *rq, const pc_web_out *out, json_t *vars);
/** The login page's identity providers as their plugins describe them: the "Sign in with" forms (federation_buttons) and directory notes (directory_notes), raw HTML added to `vars`. */
void pc_http_federation_buttons(const pc_req *rq, const pc_web_out *out, json_t *vars);
/** Render `out`: set or clear cookies, then redirect or show the page. */
void pc_http_web_respond(pc_req *rq, const pc_web_out *out);
#endif
