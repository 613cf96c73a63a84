/* SPDX-License-Identifier: Apache-2.0 */
/* POST /oauth2/introspect */
#include "http/endpoints.h"
#include "http/oauth_glue.h"

void pc_http_introspect(pc_req *rq)
{
    pc_http_run_oauth(rq, pc_oauth2_introspect, 0);
}
