/* SPDX-License-Identifier: Apache-2.0 */
/* One delivery attempt of a claimed outbox message: post, record, schedule the next or give up. */
#include "webhooks/deliver.h"
#include "webhooks/webhooks.h"
#include "iam/audit.h"
#include "server/metrics.h"
#include "server/outbound.h"
#include "server/store.h"
#include "util/log.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct outcome {
    long status;     /**< HTTP status, 0 if none */
    char error[96];  /**< why it failed, "" on success */
    int interrupted; /**< cut short by this server stopping: not the endpoint's fault */
} outcome;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

/* A stopping server does not wait up to 10 s for a slow endpoint: the lease brings it back. */
static int keep_going(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                      curl_off_t ulnow)
{
    (void)clientp;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return pc_webhooks_running() ? 0 : 1;
}

static struct curl_slist *headers_for(const json_t *msg, const json_t *hook, const char *body)
{
    const char *id = json_string_value(json_object_get(msg, "id"));
    char *cur = pc_webhook_secret_open(hook, "secret_enc"), *old = NULL, *sig, *line;
    const char *secrets[3] = {cur, NULL, NULL};
    long long ts = (long long)time(NULL); /* the receiver's clock, not a test's */
    struct curl_slist *h = NULL;

    if (json_integer_value(json_object_get(hook, "old_secret_until")) > pc_now())
        old = pc_webhook_secret_open(hook, "old_secret_enc");
    secrets[cur ? 1 : 0] = old;
    sig = pc_webhook_signature(secrets, id, ts, body, strlen(body));
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "User-Agent: Portcullis-Webhooks/1");
    line = pc_asprintf("webhook-id: %s", id);
    h = curl_slist_append(h, line);
    free(line);
    line = pc_asprintf("webhook-timestamp: %lld", ts);
    h = curl_slist_append(h, line);
    free(line);
    line = pc_asprintf("webhook-signature: %s", sig ? sig : "");
    h = curl_slist_append(h, line);
    free(line);
    free(sig);
    pc_free_secret(cur);
    pc_free_secret(old);
    return h;
}

/* POST the message to the webhook's URL: 10 s, no redirects, TLS verified, checked addresses. */
static void post(const json_t *msg, const json_t *hook, outcome *o)
{
    static const int allow_yes = 1, allow_no = 0;
    int allow = pc_webhooks_allow_private();
    const char *body = json_string_value(json_object_get(msg, "payload"));
    struct curl_slist *h = headers_for(msg, hook, body);
    CURL *c = curl_easy_init();
    CURLcode cc;

    memset(o, 0, sizeof *o);
    if (c == NULL) {
        snprintf(o->error, sizeof o->error, "internal error");
        curl_slist_free_all(h);
        return;
    }
    pc_outbound_guard_webhook(c, allow ? &allow_yes : &allow_no);
    curl_easy_setopt(c, CURLOPT_URL, json_string_value(json_object_get(hook, "url")));
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, allow ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, PC_WEBHOOK_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, keep_going);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &o->status);
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        snprintf(o->error, sizeof o->error, "interrupted");
        o->interrupted = 1;
    } else if (cc != CURLE_OK)
        snprintf(o->error, sizeof o->error, "%s", curl_easy_strerror(cc));
    else if (o->status < 200 || o->status > 299)
        snprintf(o->error, sizeof o->error, "HTTP status %ld", o->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

/* Track an endpoint's failures: disabled (and audited) after a whole window without success. */
static void endpoint_health(const json_t *hook, int ok, int64_t now_ms)
{
    const char *tid = json_string_value(json_object_get(hook, "tenant_id"));
    const char *id = json_string_value(json_object_get(hook, "id"));
    json_t *since = json_object_get(hook, "failing_since_ms"), *patch = NULL, *details;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (ok && json_is_integer(since))
        patch = json_pack("{s:n}", "failing_since_ms");
    else if (!ok && !json_is_integer(since))
        patch = json_pack("{s:I}", "failing_since_ms", (json_int_t)now_ms);
    else if (!ok && now_ms - json_integer_value(since) >=
                        pc_webhook_window_ms(pc_srv->cfg.webhook_retry_divisor))
        patch = json_pack("{s:b,s:n,s:I}", "enabled", 0, "failing_since_ms", "updated_at",
                          (json_int_t)pc_now());
    if (patch == NULL)
        return;
    if ((rc = pc_db_begin(&tx)) == PC_OK)
        rc = pc_db_update(tx, PC_ENT_WEBHOOK, tid, id, patch, NULL, 0);
    if (rc == PC_OK && json_object_get(patch, "enabled") != NULL) {
        pc_warn("webhook %s disabled: no successful delivery for 24 h", id);
        details = json_pack("{s:O,s:s}", "url", json_object_get(hook, "url"), "reason",
                            "no successful delivery for 24 h");
        rc = pc_audit_record(tx, tid, "webhook.disabled", "system", id, NULL, details);
        json_decref(details);
        if (rc == PC_OK)
            rc = pc_webhooks_changed(tx, tid);
    }
    rc = pc_db_finish(tx, rc);
    if (rc != PC_OK)
        pc_warn("webhook %s: cannot record its health: %s", id, pc_status_str(rc));
    json_decref(patch);
}

/*
 * When the next attempt is due after failed attempt `attempt`, or -1 when it
 * is given up: retries go on until 24 h have passed since the event and since
 * the endpoint began failing, the last one at that mark, so that giving up
 * and disabling the endpoint agree.
 */
static int64_t next_attempt(int64_t attempt, int64_t created_ms, int64_t failing_ms, int64_t now_ms)
{
    int64_t divisor = pc_srv->cfg.webhook_retry_divisor;
    int64_t end =
        (created_ms > failing_ms ? created_ms : failing_ms) + pc_webhook_window_ms(divisor);
    int64_t next = now_ms + pc_webhook_retry_delay_ms(attempt, divisor);

    if (now_ms >= end)
        return -1;
    return next < end ? next : end;
}

/* The attempt's record and the message's next state from the outcome. */
static void settle(const char *node, const json_t *msg, const char *attempt_id, const outcome *o,
                   int64_t failing_ms, int64_t now_ms)
{
    int64_t attempt = json_integer_value(json_object_get(msg, "attempts"));
    int64_t created_ms = json_integer_value(json_object_get(msg, "created_at")) * 1000, next = -1;
    json_t *a, *m;
    pc_status rc;

    if (o->interrupted)
        next = now_ms; /* due again at once, for another process */
    else if (o->error[0] != '\0')
        next = next_attempt(attempt, created_ms, failing_ms, now_ms);
    a = json_pack("{s:s,s:o,s:o,s:o}", "status", o->error[0] ? "failed" : "delivered",
                  "response_status", o->status ? json_integer(o->status) : json_null(), "error",
                  o->error[0] ? json_string(o->error) : json_null(), "next_attempt_at",
                  next >= 0 ? json_integer(next / 1000) : json_null());
    if (o->error[0] == '\0')
        m = json_pack("{s:s,s:I}", "status", "delivered", "done_at", (json_int_t)(now_ms / 1000));
    else if (next >= 0)
        m = json_pack("{s:s,s:I}", "status", "pending", "next_attempt_ms", (json_int_t)next);
    else
        m = json_pack("{s:s,s:I}", "status", "failed", "done_at", (json_int_t)(now_ms / 1000));
    rc = PC_DB->webhook_settle(PC_DBS, json_string_value(json_object_get(msg, "tenant_id")),
                               json_string_value(json_object_get(msg, "id")), node, attempt_id, a,
                               m);
    pc_metrics_count("webhook_deliveries", "outcome",
                     o->error[0] == '\0' ? "delivered"
                     : next >= 0         ? "failed"
                                         : "given_up");
    if (rc != PC_OK)
        pc_warn("webhook message %s: attempt %lld recorded with %s",
                json_string_value(json_object_get(msg, "id")), (long long)attempt,
                pc_status_str(rc));
    json_decref(a);
    json_decref(m);
}

void pc_webhook_deliver(const char *node, const json_t *msg, const char *attempt_id)
{
    json_t *hook = NULL, *since;
    int64_t now;
    outcome o;
    pc_status rc;

    rc = pc_db_get(NULL, PC_ENT_WEBHOOK, json_string_value(json_object_get(msg, "tenant_id")), "id",
                   json_string_value(json_object_get(msg, "webhook_id")), &hook);
    if (rc != PC_OK) {
        /* Removed meanwhile (its rows go with it), or the store is down: the lease decides. */
        pc_warn("webhook message %s: cannot load its webhook: %s",
                json_string_value(json_object_get(msg, "id")), pc_status_str(rc));
        return;
    }
    post(msg, hook, &o);
    now = pc_webhooks_now_ms();
    since = json_object_get(hook, "failing_since_ms");
    settle(node, msg, attempt_id, &o, json_is_integer(since) ? json_integer_value(since) : now,
           now);
    if (!o.interrupted)
        endpoint_health(hook, o.error[0] == '\0', now);
    json_decref(hook);
}
