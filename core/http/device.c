/* SPDX-License-Identifier: Apache-2.0 */
/* POST /oauth2/device_authorization and GET/POST /ui/device (RFC 8628). */
#include "http/authorize.h"
#include "http/endpoints.h"
#include "http/oauth_glue.h"
#include "http/pages.h"
#include "oauth2/device.h"

#include <string.h>

void pc_http_device_authorization(pc_req *rq)
{
    pc_http_run_oauth(rq, pc_oauth2_device_authorization, 0);
}

void pc_http_device_page(pc_req *rq)
{
    int posted = strcmp(pc_req_method(rq), "POST") == 0;
    pc_web_in in;
    pc_web_out out;

    if (posted && !pc_req_content_type_is(rq, "application/x-www-form-urlencoded")) {
        pc_page_error(rq, 400, "invalid_request",
                      "The request was not a form this server understands.");
        return;
    }
    if (pc_req_repeated(rq) != NULL) {
        pc_page_error(rq, 400, "invalid_request", "The request sent a parameter more than once.");
        return;
    }
    pc_http_web_in(rq, &in);
    if (posted)
        pc_oauth2_device_verify(&in, &out);
    else
        pc_oauth2_device_page(&in, &out);
    pc_http_web_respond(rq, &out);
    pc_web_out_clear(&out);
}
