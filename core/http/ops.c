/* SPDX-License-Identifier: Apache-2.0 */
/* GET /healthz, /readyz, /metrics, and the answer for unknown paths. */
#include "http/endpoints.h"
#include "server/metrics.h"
#include "server/store.h"

#include <stdlib.h>

void pc_http_healthz(pc_req *rq)
{
    pc_reply_json(rq, 200, json_pack("{s:s}", "status", "ok"));
}

void pc_http_readyz(pc_req *rq)
{
    if (PC_DB->ping(PC_DBS) == PC_OK)
        pc_reply_json(rq, 200, json_pack("{s:s}", "status", "ready"));
    else
        pc_reply_json(rq, 503, json_pack("{s:s}", "status", "store unreachable"));
}

void pc_http_metrics(pc_req *rq)
{
    char *text = pc_metrics_render();

    pc_reply_raw(rq, 200, "text/plain; version=0.0.4", text);
    free(text);
}

void pc_http_not_found(pc_req *rq)
{
    pc_reply_json(
        rq, 404,
        json_pack("{s:s,s:s}", "error", "not_found", "error_description", "no such endpoint"));
}
