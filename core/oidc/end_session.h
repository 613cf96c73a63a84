/* SPDX-License-Identifier: Apache-2.0 */
/* RP-Initiated Logout (OIDC RP-Initiated Logout 1.0): end the browser session and its tokens. */
#ifndef PC_OIDC_END_SESSION_H
#define PC_OIDC_END_SESSION_H
#include "oauth2/authorize.h"

/**
 * GET/POST /oauth2/end_session: id_token_hint, post_logout_redirect_uri
 * (exact match against the client's registered ones), client_id, state.
 * With a valid hint naming the browser's session (or when the browser has
 * none), ends it and the hint's session with every token issued in them;
 * then a redirect, the logged-out page, or the error page. Otherwise the
 * browser's session stays until the person confirms: PC_WEB_CONFIRM_LOGOUT
 * with out->request and out->csrf for the form, whose POST (request, csrf)
 * comes back here and ends the session it was shown in.
 */
void pc_oidc_end_session(const pc_web_in *in, pc_web_out *out);
#endif
