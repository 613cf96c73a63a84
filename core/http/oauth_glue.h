/* SPDX-License-Identifier: Apache-2.0 */
/* Bridges an HTTP request to the protocol code in core/oauth2 and renders its reply. */
#ifndef PC_HTTP_OAUTH_GLUE_H
#define PC_HTTP_OAUTH_GLUE_H
#include "http/request.h"
#include "oauth2/request.h"

typedef void (*pc_oauth_flow)(const pc_oauth_request *rq, pc_oauth_reply *reply);

/**
 * Run `flow` on a form POST (or, with allow_get, on a request that needs no
 * form body), answering with its JSON reply, no-store.
 */
void pc_http_run_oauth(pc_req *rq, pc_oauth_flow flow, int allow_get);
#endif
