/* SPDX-License-Identifier: Apache-2.0 */
/* POST /oauth2/revoke */
#include "http/endpoints.h"
#include "http/oauth_glue.h"

void pc_http_revoke(pc_req *rq)
{
    pc_http_run_oauth(rq, pc_oauth2_revoke, 0);
}
