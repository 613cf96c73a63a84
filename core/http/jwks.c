/* SPDX-License-Identifier: Apache-2.0 */
/* GET /oauth2/jwks */
#include "http/endpoints.h"

void pc_http_jwks(pc_req *rq)
{
    pc_reply_header(rq, "Cache-Control", "public, max-age=300");
    pc_reply_raw(rq, 200, "application/jwk-set+json", pc_keyring_jwks(rq->tenant->keys));
}
