/* SPDX-License-Identifier: Apache-2.0 */
/* CORS for the endpoints browsers call cross-origin: only the origins of registered redirect URIs. */
#ifndef PC_HTTP_CORS_H
#define PC_HTTP_CORS_H
#include "http/request.h"

/**
 * Add Access-Control-Allow-Origin when the request's Origin is the origin of
 * a registered redirect URI: of the client the request names (client_id or
 * Basic user), else of any client of the tenant.
 */
void pc_http_cors(pc_req *rq);
#endif
