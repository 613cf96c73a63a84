/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP handlers of the protocol and operations endpoints (one file each in core/http). */
#ifndef PC_HTTP_ENDPOINTS_H
#define PC_HTTP_ENDPOINTS_H
#include "http/request.h"

void pc_http_healthz(pc_req *rq);
void pc_http_readyz(pc_req *rq);
void pc_http_metrics(pc_req *rq);
void pc_http_discovery(pc_req *rq);
/* ---- AuthZEN (API.md §15) ---- */
void pc_http_authzen_metadata(pc_req *rq);
void pc_http_authzen_evaluation(pc_req *rq);
void pc_http_authzen_evaluations(pc_req *rq);
/* ---- end of AuthZEN ---- */
void pc_http_jwks(pc_req *rq);
void pc_http_token(pc_req *rq);
void pc_http_userinfo(pc_req *rq);
void pc_http_introspect(pc_req *rq);
void pc_http_revoke(pc_req *rq);
/* issue #18 */
void pc_http_par(pc_req *rq);
void pc_http_not_found(pc_req *rq);
void pc_http_authorize(pc_req *rq);
void pc_http_authorize_login(pc_req *rq);
void pc_http_authorize_consent(pc_req *rq);
void pc_http_end_session(pc_req *rq);
void pc_http_static(pc_req *rq);
/* ---- consoles (API.md §13) ---- */
void pc_http_static_console(pc_req *rq);
void pc_http_console_account(pc_req *rq);
void pc_http_console_admin(pc_req *rq);
/* ---- end of consoles ---- */
void pc_http_preflight(pc_req *rq);
void pc_http_mfa_challenge(pc_req *rq);
void pc_http_authorize_mfa(pc_req *rq);
void pc_http_authorize_organization(pc_req *rq); /* API.md §18 */
/* ---- federation (API.md §14) ---- */
void pc_http_federation_start(pc_req *rq);
void pc_http_federation_callback(pc_req *rq);
/* ---- end of federation ---- */
void pc_http_authorize_passkey(pc_req *rq); /* passkeys (issue #19) */
void pc_http_authorize_passkey_options(
    pc_req *rq); /* a login page's passkey challenge, on demand */
/** GET /ui/reset, /ui/verify, /ui/invite, /ui/register: the people pages (API.md §12). */
void pc_http_people_page(pc_req *rq);
/* ---- device authorization (RFC 8628) ---- */
void pc_http_device_authorization(pc_req *rq);
/** GET /ui/device: the form for the user code; POST: check it, then sign-in and consent. */
void pc_http_device_page(pc_req *rq);
/* ---- end of device authorization ---- */
#endif
