/* SPDX-License-Identifier: Apache-2.0 */
/* GET /.well-known/openid-configuration and /.well-known/oauth-authorization-server */
#include "http/endpoints.h"

void pc_http_discovery(pc_req *rq)
{
    pc_reply_header(rq, "Cache-Control", "public, max-age=300");
    pc_reply_raw(rq, 200, "application/json", rq->tenant->discovery);
}
