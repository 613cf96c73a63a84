/* SPDX-License-Identifier: Apache-2.0 */
/* POST /oauth2/token */
#include "http/endpoints.h"
#include "http/oauth_glue.h"

void pc_http_token(pc_req *rq)
{
    pc_http_run_oauth(rq, pc_oauth2_token, 0);
}
