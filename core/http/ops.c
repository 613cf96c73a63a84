/* SPDX-License-Identifier: Apache-2.0 */
/* GET /healthz, /readyz, /metrics, and the answer for unknown paths. */
#include "http/endpoints.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/store.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

void pc_http_healthz(pc_req *rq)
{
    pc_reply_json(rq, 200, json_pack("{s:s}", "status", "ok"));
}

/* The store's write probe, run at most once per PROBE_EVERY_MS; callers meanwhile
 * share the last result, and only one caller probes at a time. */
#define PROBE_EVERY_MS 1000

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t probed_at_ms = INT64_MIN / 2;
static pc_status probed = PC_ERR_STORAGE;

static int64_t monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pc_status store_writable(void)
{
    static int probing;
    int mine;
    pc_status rc;

    pthread_mutex_lock(&probe_lock);
    mine = !probing && monotonic_ms() - probed_at_ms >= PROBE_EVERY_MS;
    probing |= mine;
    rc = probed;
    pthread_mutex_unlock(&probe_lock);
    if (!mine)
        return rc; /* fresh enough, or another caller is probing: share its answer */
    rc = PC_DB->ping(PC_DBS);
    pthread_mutex_lock(&probe_lock);
    probed = rc;
    probed_at_ms = monotonic_ms();
    probing = 0;
    pthread_mutex_unlock(&probe_lock);
    return rc;
}

void pc_http_readyz(pc_req *rq)
{
    if (store_writable() == PC_OK)
        pc_reply_json(rq, 200, json_pack("{s:s}", "status", "ready"));
    else
        pc_reply_json(rq, 503, json_pack("{s:s}", "status", "store unreachable or read-only"));
}

void pc_http_metrics(pc_req *rq)
{
    char *text;

    /* With metrics_listen, /metrics is served there only. */
    if (pc_srv->cfg.metrics_listen != NULL) {
        pc_http_not_found(rq);
        return;
    }
    text = pc_metrics_render();

    pc_reply_raw(rq, 200, "text/plain; version=0.0.4", text);
    free(text);
}

void pc_http_not_found(pc_req *rq)
{
    pc_reply_json(
        rq, 404,
        json_pack("{s:s,s:s}", "error", "not_found", "error_description", "no such endpoint"));
}
