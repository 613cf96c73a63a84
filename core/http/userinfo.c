/* SPDX-License-Identifier: Apache-2.0 */
/* GET and POST /oauth2/userinfo */
#include "http/endpoints.h"
#include "http/oauth_glue.h"
#include "http/dpop.h"

#include <string.h>

void pc_http_userinfo(pc_req *rq)
{
    /* GET carries the token in the header; a POST may too, with an empty
     * body (RFC 6750 §2.1), or in a form (§2.2). */
    int no_form = strcmp(pc_req_method(rq), "GET") == 0 || pc_req_bearer(rq) != NULL ||
                  pc_req_dpop_token(rq) != NULL;

    pc_http_run_oauth(rq, pc_oidc_userinfo, no_form);
}
