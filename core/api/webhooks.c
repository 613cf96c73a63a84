/* SPDX-License-Identifier: Apache-2.0 */
/* /webhooks: subscriptions to the tenant's audit events, their secrets, deliveries and test events. */
#include "api/resource.h"
#include "api/users.h"
#include "server/store.h"
#include "util/mem.h"
#include "webhooks/webhooks.h"

#include <stdlib.h>
#include <string.h>

#define SECRET_OVERLAP 86400 /* the rotated-out secret keeps signing for 24 h */
/* Each event inserts a row per subscribed webhook in the request's transaction: bounded. */
#define MAX_WEBHOOKS 100

static json_t *webhook_view(const json_t *w, void *ctx)
{
    (void)ctx;
    return json_pack("{s:O,s:O,s:O,s:O,s:O,s:o,s:o}", "id", json_object_get(w, "id"), "url",
                     json_object_get(w, "url"), "events", json_object_get(w, "events"), "enabled",
                     json_object_get(w, "enabled"), "description",
                     json_object_get(w, "description"), "created_at",
                     pc_api_time(json_object_get(w, "created_at")), "updated_at",
                     pc_api_time(json_object_get(w, "updated_at")));
}

static json_t *attempt_view(const json_t *a, void *ctx)
{
    (void)ctx;
    return json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:o,s:o}", "id", json_object_get(a, "id"),
                     "event_id", json_object_get(a, "event_id"), "type", json_object_get(a, "type"),
                     "attempt", json_object_get(a, "attempt"), "status",
                     json_object_get(a, "status"), "response_status",
                     json_object_get(a, "response_status"), "error", json_object_get(a, "error"),
                     "created_at", pc_api_time(json_object_get(a, "created_at")), "next_attempt_at",
                     pc_api_time(json_object_get(a, "next_attempt_at")));
}

/*
 * A webhook sees every event of its types, whoever they concern: creating or
 * widening one needs audit:read besides the webhooks permission, so that no
 * one subscribes to events they could not read (docs/webhooks.md).
 */
static int require_both(pc_req *rq, pc_principal *p, const char *action)
{
    pc_principal again = {0};

    if (!pc_api_require(rq, p, "webhooks", action))
        return 0;
    if (!pc_api_require(rq, &again, "audit", "read")) {
        pc_principal_clear(p);
        return 0;
    }
    pc_principal_clear(&again);
    return 1;
}

static int event_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (strcmp(s, "*") == 0)
        return 1;
    if (n == 0 || n > 64)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* Are the URL and the events acceptable? Replies 400 naming the field if not. */
static int valid_fields(pc_req *rq, const json_t *body)
{
    const json_t *url = json_object_get(body, "url"), *events = json_object_get(body, "events");
    const json_t *desc = json_object_get(body, "description");
    const char *problem;
    size_t i;
    json_t *e;

    if (url != NULL && (problem = pc_webhook_url_problem(json_string_value(url))) != NULL) {
        pc_api_invalid_field(rq, "url", problem);
        return 0;
    }
    if (events != NULL && (json_array_size(events) == 0 || json_array_size(events) > 100)) {
        pc_api_invalid_field(rq, "events", "must name 1 to 100 event types, or \"*\"");
        return 0;
    }
    json_array_foreach (events, i, e)
        if (!event_name_ok(json_string_value(e))) {
            pc_api_invalid_field(rq, "events",
                                 "each must be an event type such as user.created, "
                                 "or \"*\"");
            return 0;
        }
    if (json_is_string(desc) && json_string_length(desc) > 1024) {
        pc_api_invalid_field(rq, "description", "must be at most 1024 characters");
        return 0;
    }
    return 1;
}

void pc_api_webhooks_list(pc_req *rq)
{
    pc_api_list(rq, PC_ENT_WEBHOOK, "webhooks", webhook_view);
}

void pc_api_webhooks_get(pc_req *rq)
{
    pc_api_get_one(rq, PC_ENT_WEBHOOK, "webhooks", webhook_view);
}

static pc_status write_webhook(pc_req *rq, const pc_principal *p, const json_t *rec,
                               const json_t *patch, const char *event)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = patch ? pc_db_update(tx, PC_ENT_WEBHOOK, rq->tenant->id, id, patch, NULL, 0)
                   : pc_db_insert(tx, PC_ENT_WEBHOOK, rec, NULL, 0);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, event, id,
                          json_pack("{s:O}", "url", json_object_get(patch ? patch : rec, "url")));
    /* Last: the audit above may have cached this transaction's view of the
     * subscriptions; forgetting it here means a rollback leaves no trace. */
    if (rc == PC_OK)
        rc = pc_webhooks_changed(tx, rq->tenant->id);
    return pc_api_finish(tx, rc);
}

static int tenant_has_room(pc_req *rq)
{
    pc_store_query q = {.limit = MAX_WEBHOOKS};
    json_t *rows = NULL;
    pc_status rc = pc_db_list(NULL, PC_ENT_WEBHOOK, rq->tenant->id, &q, &rows);
    int room = rc == PC_OK && json_array_size(rows) < MAX_WEBHOOKS;

    json_decref(rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (!room)
        pc_api_error(rq, PC_API_LIMIT, "The tenant has as many webhooks as it may hold (100)",
                     NULL);
    return room;
}

static const pc_field create_fields[] = {{"url", PC_F_STRING, 1},
                                         {"events", PC_F_STRINGS, 1},
                                         {"enabled", PC_F_BOOL, 0},
                                         {"description", PC_F_NULLABLE_STRING, 0}};

void pc_api_webhooks_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL, *view;
    char id[37], *secret = NULL, *sealed = NULL;
    json_int_t now = pc_now();
    pc_status rc;

    if (!require_both(rq, &p, "create") ||
        (body = pc_api_body(rq, create_fields, sizeof create_fields / sizeof *create_fields)) ==
            NULL ||
        !valid_fields(rq, body) || !tenant_has_room(rq))
        goto out;
    pc_uuid7(id);
    secret = pc_webhook_secret_new();
    sealed = secret ? pc_webhook_secret_seal(id, secret) : NULL;
    rec = json_pack(
        "{s:s,s:s,s:O,s:O,s:O,s:o,s:s?,s:n,s:n,s:n,s:I,s:I}", "id", id, "tenant_id", rq->tenant->id,
        "url", json_object_get(body, "url"), "events", json_object_get(body, "events"), "enabled",
        json_object_get(body, "enabled") ? json_object_get(body, "enabled") : json_true(),
        "description",
        json_object_get(body, "description") ? json_incref(json_object_get(body, "description"))
                                             : json_null(),
        "secret_enc", sealed, "old_secret_enc", "old_secret_until", "failing_since_ms",
        "created_at", now, "updated_at", now);
    rc = sealed ? write_webhook(rq, &p, rec, NULL, "webhook.created") : PC_ERR_CRYPTO;
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
        goto out;
    }
    view = webhook_view(rec, NULL);
    json_object_set_new(view, "secret", json_string(secret));
    pc_reply_json(rq, 201, view);
out:
    pc_free_secret(secret);
    free(sealed);
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

static const pc_field patch_fields[] = {{"url", PC_F_STRING, 0},
                                        {"events", PC_F_STRINGS, 0},
                                        {"enabled", PC_F_BOOL, 0},
                                        {"description", PC_F_NULLABLE_STRING, 0}};

void pc_api_webhooks_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *rec = NULL;
    pc_status rc;

    if (!require_both(rq, &p, "update") ||
        (body = pc_api_body_patch(rq, patch_fields, sizeof patch_fields / sizeof *patch_fields)) ==
            NULL ||
        !valid_fields(rq, body) || (rec = pc_api_load(rq, PC_ENT_WEBHOOK)) == NULL)
        goto out;
    json_object_set_new(body, "updated_at", json_integer(pc_now()));
    /* Enabled again by hand: its 24 hours start afresh. */
    if (json_is_true(json_object_get(body, "enabled")))
        json_object_set_new(body, "failing_since_ms", json_null());
    rc = write_webhook(rq, &p, rec, body, "webhook.updated");
    if (rc != PC_OK) {
        pc_api_store_error(rq, rc, NULL);
        goto out;
    }
    json_object_update(rec, body);
    pc_reply_json(rq, 200, webhook_view(rec, NULL));
out:
    json_decref(rec);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_webhooks_delete(pc_req *rq)
{
    pc_principal p = {0};
    json_t *rec = NULL;
    const char *id;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "webhooks", "delete") ||
        (rec = pc_api_load(rq, PC_ENT_WEBHOOK)) == NULL)
        goto out;
    id = json_string_value(json_object_get(rec, "id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_WEBHOOK, rq->tenant->id, id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "webhook.deleted", id,
                          json_pack("{s:O}", "url", json_object_get(rec, "url")));
    if (rc == PC_OK) /* last, as in write_webhook */
        rc = pc_webhooks_changed(tx, rq->tenant->id);
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(rec);
    pc_principal_clear(&p);
}

/* POST /webhooks/{id}/secret: a new secret, shown once; the old one signs beside it for 24 h. */
void pc_api_webhooks_secret(pc_req *rq)
{
    pc_principal p = {0};
    json_t *rec = NULL, *patch = NULL;
    char *secret = NULL, *sealed = NULL;
    pc_status rc = PC_ERR_CRYPTO;

    if (!pc_api_require(rq, &p, "webhooks", "update") ||
        (rec = pc_api_load(rq, PC_ENT_WEBHOOK)) == NULL)
        goto out;
    secret = pc_webhook_secret_new();
    sealed = secret ? pc_webhook_secret_seal(json_string_value(json_object_get(rec, "id")), secret)
                    : NULL;
    if (sealed != NULL) {
        patch =
            json_pack("{s:s,s:O,s:I,s:I}", "secret_enc", sealed, "old_secret_enc",
                      json_object_get(rec, "secret_enc"), "old_secret_until",
                      (json_int_t)(pc_now() + SECRET_OVERLAP), "updated_at", (json_int_t)pc_now());
        json_object_set(patch, "url", json_object_get(rec, "url"));
        rc = write_webhook(rq, &p, rec, patch, "webhook.secret_rotated");
    }
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 200, json_pack("{s:s}", "secret", secret));
out:
    pc_free_secret(secret);
    free(sealed);
    json_decref(patch);
    json_decref(rec);
    pc_principal_clear(&p);
}

/* GET /webhooks/{id}/deliveries: one item per attempt, newest first. */
void pc_api_webhooks_deliveries(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor;
    json_t *rec = NULL, *filters = NULL, *rows = NULL;
    pc_store_query q;
    pc_status rc;

    if (!pc_api_require(rq, &p, "webhooks", "read") || !pc_api_page(rq, &limit, &cursor) ||
        (rec = pc_api_load(rq, PC_ENT_WEBHOOK)) == NULL)
        goto out;
    filters = json_pack("{s:O}", "webhook_id", json_object_get(rec, "id"));
    /* Attempt ids are time-ordered: id order descending is newest first. */
    q = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 1};
    rc = pc_db_list(NULL, PC_ENT_WEBHOOK_ATTEMPT, rq->tenant->id, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, attempt_view, NULL);
out:
    json_decref(filters);
    json_decref(rec);
    pc_principal_clear(&p);
}

/* POST /webhooks/{id}/test: a webhook.test event to this webhook alone (202). */
void pc_api_webhooks_test(pc_req *rq)
{
    pc_principal p = {0};
    json_t *rec = NULL, *event = NULL;
    char event_id[37], id[37];
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "webhooks", "update") ||
        (rec = pc_api_load(rq, PC_ENT_WEBHOOK)) == NULL)
        goto out;
    pc_uuid7(event_id);
    event = json_pack("{s:s,s:s,s:s,s:I,s:s,s:O,s:s?,s:{}}", "id", event_id, "tenant_id",
                      rq->tenant->id, "type", "webhook.test", "time", (json_int_t)pc_now(), "actor",
                      pc_principal_actor(&p), "subject", json_object_get(rec, "id"), "ip", rq->ip,
                      "details");
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_webhooks_enqueue(tx, rq->tenant->id, json_string_value(json_object_get(rec, "id")),
                                 event, id);
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_json(rq, 202, json_pack("{s:s,s:s}", "id", id, "event_id", event_id));
out:
    json_decref(event);
    json_decref(rec);
    pc_principal_clear(&p);
}
