/* SPDX-License-Identifier: Apache-2.0 */
/* GET and POST /oauth2/userinfo */
#include "http/endpoints.h"
#include "http/oauth_glue.h"

#include <string.h>

void pc_http_userinfo(pc_req *rq)
{
    /* A POST may carry the token in the header with an empty body (RFC 6750 §2.1). */
    int header_only = pc_req_bearer(rq) != NULL;

    pc_http_run_oauth(rq, pc_oidc_userinfo, header_only);
}
