/* SPDX-License-Identifier: Apache-2.0 */
/* The delivery workers: claim due outbox rows under a lease, deliver them, prune what is done. */
#include "webhooks/deliver.h"
#include "webhooks/webhooks.h"
#include "server/metrics.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/waker.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WORKERS 64

static pthread_t threads[MAX_WORKERS];
static unsigned nthreads;
static char node[32];
static pc_waker waker = PC_WAKER_INIT;

void pc_webhooks_kick(void)
{
    pc_waker_kick(&waker);
}

int pc_webhooks_running(void)
{
    return pc_waker_running(&waker);
}

/* Delivered and given-up rows go after the audit retention period, like the events they carry. */
static void prune(void)
{
    int64_t before = pc_now() - pc_srv->cfg.audit_retention_days * 86400;

    PC_DB->expire(PC_DBS, PC_ENT_WEBHOOK_ATTEMPT, "created_at", before);
    PC_DB->expire(PC_DBS, PC_ENT_WEBHOOK_MESSAGE, "done_at", before);
}

/* Claim and deliver one due message: 1 if there was one, 0 if none, -1 on a store failure. */
static int deliver_one(void)
{
    char attempt_id[37];
    json_t *msg = NULL;
    pc_status rc;

    pc_uuid7(attempt_id);
    rc = PC_DB->webhook_claim(PC_DBS, node, pc_webhooks_now_ms(), PC_WEBHOOK_LEASE_MS, attempt_id,
                              &msg);
    if (rc == PC_ERR_NOT_FOUND)
        return 0;
    if (rc != PC_OK)
        return -1;
    pc_webhook_deliver(node, msg, attempt_id);
    json_decref(msg);
    return 1;
}

static void *work(void *arg)
{
    /* The first worker prunes; the others only deliver. */
    pc_waker_work(&waker, deliver_one, arg != NULL ? prune : NULL);
    return NULL;
}

/* Queue depth and the age of the oldest pending row (exposition text, new). */
static char *gauges(void)
{
    int64_t pending = 0, oldest = 0;

    if (PC_DB->webhook_stats(PC_DBS, &pending, &oldest) != PC_OK)
        return NULL;
    return pc_asprintf(
        "# HELP portcullis_webhook_queue_depth Webhook messages waiting for delivery.\n"
        "# TYPE portcullis_webhook_queue_depth gauge\n"
        "portcullis_webhook_queue_depth %lld\n"
        "# HELP portcullis_webhook_oldest_pending_seconds Age of the oldest waiting message.\n"
        "# TYPE portcullis_webhook_oldest_pending_seconds gauge\n"
        "portcullis_webhook_oldest_pending_seconds %lld\n",
        (long long)pending, (long long)(pending > 0 ? pc_now() - oldest : 0));
}

pc_status pc_webhooks_start(unsigned workers)
{
    char *token;

    if (PC_DB->base.struct_size < offsetof(pc_storage_ops, webhook_stats) + sizeof(void *) ||
        PC_DB->webhook_claim == NULL) {
        pc_warn("webhooks: the storage plugin has no outbox operations; nothing is delivered");
        return PC_OK;
    }
    pc_metrics_add_source(gauges);
    token = pc_random_token(9);
    snprintf(node, sizeof node, "%s", token);
    free(token);
    pc_waker_set_running(&waker, 1);
    for (nthreads = 0; nthreads < workers && nthreads < MAX_WORKERS; nthreads++)
        if (pthread_create(&threads[nthreads], NULL, work, nthreads == 0 ? (void *)1 : NULL) != 0) {
            pc_error("webhooks: cannot start a delivery worker");
            return PC_ERR_INTERNAL;
        }
    pc_info("webhooks: %u delivery workers, node %s", nthreads, node);
    return PC_OK;
}

void pc_webhooks_stop(void)
{
    pc_waker_stop(&waker);
    for (unsigned i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    nthreads = 0;
}
