/* SPDX-License-Identifier: Apache-2.0 */
/* POST /oauth2/par (RFC 9126) */
#include "http/endpoints.h"
#include "http/oauth_glue.h"

void pc_http_par(pc_req *rq)
{
    pc_http_run_oauth(rq, pc_oauth2_par, 0);
}
