/* SPDX-License-Identifier: Apache-2.0 */
/* GET/POST /oauth2/end_session (OIDC RP-Initiated Logout 1.0). */
#include "http/authorize.h"
#include "http/endpoints.h"
#include "http/pages.h"
#include "oidc/end_session.h"

#include <string.h>

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
    pc_oidc_end_session(&in, &out);
    pc_http_web_respond(rq, &out);
    pc_web_out_clear(&out);
}
