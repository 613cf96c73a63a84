/* SPDX-License-Identifier: Apache-2.0 */
/* GET/POST /oauth2/end_session (OIDC RP-Initiated Logout 1.0) and its confirmation page. */
#include "http/authorize.h"
#include "http/endpoints.h"
#include "http/pages.h"
#include "oidc/end_session.h"

#include <string.h>

#define CSRF_COOKIE_TTL 86400 /* as the sign-in pages set it */

/* "Sign out of {tenant}?": a form that posts back here with the sealed request and the CSRF token. */
static void confirm_page(pc_req *rq, const pc_web_out *out)
{
    const char *name = json_string_value(json_object_get(out->user, "name"));
    json_t *vars = json_pack(
        "{s:s?,s:s?,s:s?,s:s?}", "app_name", json_string_value(json_object_get(out->app, "name")),
        "user_name", name ? name : json_string_value(json_object_get(out->user, "username")),
        "request", out->request, "csrf", out->csrf);

    json_object_set_new(vars, "end_session_action",
                        json_sprintf("%s/oauth2/end_session", rq->tenant->issuer));
    if (out->set_csrf)
        pc_reply_cookie(rq, PC_COOKIE_CSRF, out->csrf, CSRF_COOKIE_TTL);
    pc_page_reply(rq, 200, "end_session", vars);
    json_decref(vars);
}

void pc_http_end_session(pc_req *rq)
{
    pc_web_in in;
    pc_web_out out;

    if (strcmp(pc_req_method(rq), "POST") == 0 &&
        !pc_req_content_type_is(rq, "application/x-www-form-urlencoded")) {
        pc_page_error(rq, 400, "invalid_request",
                      "The request was not a form this server understands.");
        return;
    }
    pc_http_web_in(rq, &in);
    in.posted = strcmp(pc_req_method(rq), "POST") == 0;
    pc_oidc_end_session(&in, &out);
    if (out.outcome == PC_WEB_CONFIRM_LOGOUT)
        confirm_page(rq, &out);
    else
        pc_http_web_respond(rq, &out);
    pc_web_out_clear(&out);
}
