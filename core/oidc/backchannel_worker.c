/* SPDX-License-Identifier: Apache-2.0 */
/* The back-channel logout worker: claim queued logouts under a lease, post the logout tokens, retry. */
#include "oidc/backchannel.h"
#include "server/host.h"
#include "server/server.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/waker.h"
#include "util/log.h"
#include "util/mem.h"
#include "webhooks/deliver.h"
#include "webhooks/webhooks.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_MS 30000
#define TIMEOUT_MS 10000 /* §2.8 leaves it to us: as for webhooks */

static pthread_t thread;
static int started;
static char node[32];
static pc_waker waker = PC_WAKER_INIT;

void pc_backchannel_kick(void)
{
    pc_waker_kick(&waker);
}

/* §2.5: POST logout_token as a form; any 2xx is delivered. The error text when not. */
static void post(const pc_tenant *t, const json_t *msg, char *error, size_t len)
{
    static const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    char *jwt = pc_backchannel_logout_token(t, msg), *body;
    pc_http_request rq = {.method = "POST",
                          .url = json_string_value(json_object_get(msg, "url")),
                          .headers = headers,
                          .timeout_ms = TIMEOUT_MS};
    pc_http_response resp = {0};

    error[0] = '\0';
    if (jwt == NULL) {
        snprintf(error, len, "no signing key");
        return;
    }
    body = pc_asprintf("logout_token=%s", jwt); /* base64url and dots need no escaping */
    rq.body = body;
    rq.body_len = strlen(body);
    if (pc_http_client_send(&rq, &resp) != PC_OK)
        snprintf(error, len, "no answer (refused, unreachable or timed out)");
    else if (resp.status < 200 || resp.status > 299)
        snprintf(error, len, "HTTP %ld", resp.status);
    free(resp.body);
    free(body);
    free(jwt);
}

/* Record the outcome: delivered, retried on the webhook schedule, or given up after 24 h. */
static void settle(const json_t *msg, const char *error)
{
    int64_t now = pc_webhooks_now_ms(), div = pc_srv->cfg.webhook_retry_divisor;
    int64_t created_ms = json_integer_value(json_object_get(msg, "created_at")) * 1000;
    int64_t next =
        now + pc_webhook_retry_delay_ms(json_integer_value(json_object_get(msg, "attempts")), div);
    int give_up = *error != '\0' && next - created_ms > pc_webhook_window_ms(div);
    json_t *patch = json_pack("{s:s,s:I,s:n,s:n,s:s?}", "status",
                              *error == '\0' ? "delivered"
                              : give_up      ? "failed"
                                             : "pending",
                              "next_attempt_ms", (json_int_t)next, "locked_until_ms", "locked_by",
                              "error", *error ? error : NULL);

    if (*error == '\0' || give_up)
        json_object_set_new(patch, "done_at", json_integer(pc_now()));
    if (PC_DB->update(PC_DBS, NULL, PC_ENT_LOGOUT_MESSAGE,
                      json_string_value(json_object_get(msg, "tenant_id")),
                      json_string_value(json_object_get(msg, "id")), patch, NULL, 0) != PC_OK)
        pc_warn("back-channel logout: cannot record a delivery (it will be tried again)");
    if (*error != '\0')
        pc_warn("back-channel logout to client %s failed: %s%s",
                json_string_value(json_object_get(msg, "client_id")), error,
                give_up ? " (given up)" : "");
    json_decref(patch);
}

/* Claim and deliver one due message: 1 if there was one, 0 if none, -1 on a store failure. */
static int deliver_one(void)
{
    json_t *msg = NULL;
    pc_tenant *t = NULL;
    char error[128];
    pc_status rc = PC_DB->logout_claim(PC_DBS, node, pc_webhooks_now_ms(), LEASE_MS, &msg);

    if (rc == PC_ERR_NOT_FOUND)
        return 0;
    if (rc != PC_OK)
        return -1;
    if (pc_tenant_acquire_id(json_string_value(json_object_get(msg, "tenant_id")), &t) == PC_OK) {
        post(t, msg, error, sizeof error);
        pc_tenant_release(t);
    } else {
        snprintf(error, sizeof error, "tenant unavailable");
    }
    settle(msg, error);
    json_decref(msg);
    return 1;
}

static void prune(void)
{
    int64_t before = pc_now() - pc_srv->cfg.audit_retention_days * 86400;

    PC_DB->expire(PC_DBS, PC_ENT_LOGOUT_MESSAGE, "done_at", before);
    PC_DB->expire(PC_DBS, PC_ENT_SESSION_CLIENT, "expires_at", pc_now());
}

static void *work(void *arg)
{
    (void)arg;
    pc_waker_work(&waker, deliver_one, prune);
    return NULL;
}

pc_status pc_backchannel_start(void)
{
    char *token;

    if (PC_DB->base.struct_size < offsetof(pc_storage_ops, logout_claim) + sizeof(void *) ||
        PC_DB->logout_claim == NULL) {
        pc_warn("back-channel logout: the storage plugin has no outbox; nothing is delivered");
        return PC_OK;
    }
    token = pc_random_token(9);
    snprintf(node, sizeof node, "%s", token);
    free(token);
    pc_waker_set_running(&waker, 1);
    if (pthread_create(&thread, NULL, work, NULL) != 0) {
        pc_error("back-channel logout: cannot start the delivery worker");
        pc_waker_set_running(&waker, 0);
        return PC_ERR_INTERNAL;
    }
    started = 1;
    return PC_OK;
}

void pc_backchannel_stop(void)
{
    pc_waker_stop(&waker);
    if (started)
        pthread_join(thread, NULL);
    started = 0;
}
