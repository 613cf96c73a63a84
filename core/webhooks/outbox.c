/* SPDX-License-Identifier: Apache-2.0 */
/* The transactional outbox: audit events of subscribed types become delivery rows in the event's transaction. */
#include "webhooks/webhooks.h"
#include "iam/audit.h"
#include "iam/tenant.h"
#include "oauth2/changes.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define FEED_KIND "webhook"
#define MAX_WEBHOOKS 1000
#define FEED_KEEP 86400

/* tenant id -> [{"id", "events"}] of its enabled webhooks. The request path
 * reads it; the change feed empties it; a load never stores a stale answer. */
static json_t *subs;
static uint64_t generation;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int64_t pc_webhooks_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (pc_now() - (int64_t)ts.tv_sec) * 1000 + (int64_t)ts.tv_sec * 1000 +
           ts.tv_nsec / 1000000;
}

void pc_webhooks_forget(void)
{
    pthread_mutex_lock(&lock);
    generation++;
    json_decref(subs);
    subs = NULL;
    pthread_mutex_unlock(&lock);
}

static void on_change(const pc_change *c)
{
    if (strcmp(c->kind, FEED_KIND) == 0 || strcmp(c->kind, "tenant") == 0)
        pc_webhooks_forget();
}

pc_status pc_webhooks_changed(pc_store_tx *tx, const char *tenant_id)
{
    pc_webhooks_forget();
    return pc_change_write(tx, tenant_id, FEED_KIND, "", pc_now() + FEED_KEEP);
}

/* The enabled webhooks of a tenant from the store, as the cache holds them (new). */
static json_t *load(pc_store_tx *tx, const char *tenant_id)
{
    json_t *f = json_pack("{s:b}", "enabled", 1), *rows = NULL, *out = NULL, *w;
    pc_store_query q = {.filters = f, .after = NULL, .limit = MAX_WEBHOOKS, .descending = 0};
    size_t i;

    if (pc_db_list(tx, PC_ENT_WEBHOOK, tenant_id, &q, &rows) == PC_OK) {
        out = json_array();
        json_array_foreach (rows, i, w)
            json_array_append_new(out, json_pack("{s:O,s:O}", "id", json_object_get(w, "id"),
                                                 "events", json_object_get(w, "events")));
    }
    json_decref(rows);
    json_decref(f);
    return out;
}

/* The tenant's subscriptions (new reference), loading them on a miss. */
static json_t *subscriptions(pc_store_tx *tx, const char *tenant_id)
{
    json_t *s;
    uint64_t gen;

    pthread_mutex_lock(&lock);
    s = json_incref(json_object_get(subs, tenant_id));
    gen = generation;
    pthread_mutex_unlock(&lock);
    if (s != NULL)
        return s;
    if ((s = load(tx, tenant_id)) == NULL)
        return NULL;
    pthread_mutex_lock(&lock);
    if (gen == generation) {
        if (subs == NULL)
            subs = json_object();
        json_object_set(subs, tenant_id, s);
    }
    pthread_mutex_unlock(&lock);
    return s;
}

static int subscribes(const json_t *events, const char *type)
{
    size_t i;
    json_t *e;

    json_array_foreach (events, i, e)
        if (strcmp(json_string_value(e), "*") == 0 || strcmp(json_string_value(e), type) == 0)
            return 1;
    return 0;
}

/* Ids of the tenant's webhooks subscribed to `type` (new array), or NULL for none. */
static json_t *match(pc_store_tx *tx, const char *tenant_id, const char *type)
{
    json_t *s = subscriptions(tx, tenant_id), *ids = NULL, *w;
    size_t i;

    json_array_foreach (s, i, w)
        if (subscribes(json_object_get(w, "events"), type)) {
            if (ids == NULL)
                ids = json_array();
            json_array_append(ids, json_object_get(w, "id"));
        }
    json_decref(s);
    return ids;
}

static json_t *rfc3339(int64_t t)
{
    char buf[32];
    struct tm tm;
    time_t tt = (time_t)t;

    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* The body: {"id","type","timestamp","tenant","data":<the event as GET /audit shows it>}. */
static char *payload(const char *id, const char *tenant_id, const json_t *e)
{
    pc_tenant *t = NULL;
    int64_t time = json_integer_value(json_object_get(e, "time"));
    json_t *body;
    char *s;

    pc_tenant_acquire_id(tenant_id, &t);
    body = json_pack("{s:s,s:O,s:o,s:s,s:{s:O,s:O,s:o,s:O,s:O,s:O,s:O}}", "id", id, "type",
                     json_object_get(e, "type"), "timestamp", rfc3339(time), "tenant",
                     t ? t->slug : tenant_id, "data", "id", json_object_get(e, "id"), "type",
                     json_object_get(e, "type"), "time", rfc3339(time), "actor",
                     json_object_get(e, "actor"), "subject", json_object_get(e, "subject"), "ip",
                     json_object_get(e, "ip"), "details", json_object_get(e, "details"));
    if (t != NULL)
        pc_tenant_release(t);
    s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return s;
}

pc_status pc_webhooks_enqueue(pc_store_tx *tx, const char *tenant_id, const char *webhook_id,
                              const json_t *event, char id[37])
{
    json_int_t now_ms = pc_webhooks_now_ms();
    json_t *row;
    char *body;
    pc_status rc;

    pc_uuid7(id);
    if ((body = payload(id, tenant_id, event)) == NULL)
        return PC_ERR_INTERNAL;
    row = json_pack("{s:s,s:s,s:s,s:O,s:O,s:s,s:s,s:i,s:I,s:n,s:n,s:I,s:n}", "id", id, "tenant_id",
                    tenant_id, "webhook_id", webhook_id, "event_id", json_object_get(event, "id"),
                    "type", json_object_get(event, "type"), "payload", body, "status", "pending",
                    "attempts", 0, "next_attempt_ms", now_ms, "locked_until_ms", "locked_by",
                    "created_at", now_ms / 1000, "done_at");
    rc = row ? pc_db_insert(tx, PC_ENT_WEBHOOK_MESSAGE, row, NULL, 0) : PC_ERR_INTERNAL;
    json_decref(row);
    free(body);
    if (rc == PC_OK)
        pc_webhooks_kick();
    return rc;
}

static pc_status write_rows(pc_store_tx *tx, const json_t *event, const json_t *matched)
{
    const char *tenant_id = json_string_value(json_object_get(event, "tenant_id"));
    char id[37];
    size_t i;
    json_t *w;
    pc_status rc = PC_OK;

    json_array_foreach (matched, i, w)
        if (rc == PC_OK)
            rc = pc_webhooks_enqueue(tx, tenant_id, json_string_value(w), event, id);
    if (rc != PC_OK)
        pc_error("webhook outbox: cannot queue event type=%s: %s",
                 json_string_value(json_object_get(event, "type")), pc_status_str(rc));
    return rc;
}

static const pc_audit_sink outbox_sink = {.match = match, .write = write_rows};

void pc_webhooks_init(void)
{
    pc_changes_listen(on_change);
    pc_audit_set_sink(&outbox_sink);
}
