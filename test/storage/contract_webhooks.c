/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 7: the webhook outbox, its leases and attempts. */
#include "contract_support.h"
#include "contract_webhooks.h"

#include <pthread.h>
#include <string.h>

#define LEASE 20000
#define MESSAGES 40

/* Far from any other case's rows: a case claims at times only its own messages are due at. */
static int64_t base_ms(void)
{
    static int64_t next = 0;

    next += 1000000000LL;
    return next;
}

static json_t *make_webhook(char *id, const char *t, int enabled)
{
    json_t *w = keep(json_pack(
        "{s:s,s:s,s:s,s:[s],s:b,s:n,s:s,s:n,s:n,s:n,s:I,s:I}", "id", new_id(id, "whk"), "tenant_id",
        t, "url", "https://example.com/h", "events", "*", "enabled", enabled, "description",
        "secret_enc", "v1.sealed", "old_secret_enc", "old_secret_until", "failing_since_ms",
        "created_at", (json_int_t)now, "updated_at", (json_int_t)now));

    INSERT(PC_ENT_WEBHOOK, w);
    return w;
}

static void make_message(char *id, const char *t, const char *webhook, int64_t due_ms)
{
    INSERT(
        PC_ENT_WEBHOOK_MESSAGE,
        keep(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:n,s:n,s:I,s:n}", "id",
                       new_id(id, "msg"), "tenant_id", t, "webhook_id", webhook, "event_id",
                       "evt-1", "type", "user.created", "payload", "{\"id\":1}", "status",
                       "pending", "attempts", 0, "next_attempt_ms", (json_int_t)due_ms,
                       "locked_until_ms", "locked_by", "created_at", (json_int_t)now, "done_at")));
}

static pc_status claim(const char *node, int64_t at, const char *attempt, json_t **out)
{
    *out = NULL;
    return ops->webhook_claim(st, node, at, LEASE, attempt, out);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

void webhook_claim_leases_one_message(void **state)
{
    char wid[ID_LEN], due[ID_LEN], later[ID_LEN], aid[ID_LEN];
    int64_t t0 = base_ms();
    json_t *m, *a, *attempts;
    pc_store_query q = {.limit = 10};

    make_webhook(wid, tid, 1);
    make_message(due, tid, wid, t0);
    make_message(later, tid, wid, t0 + 5000);
    OK(claim("node-a", t0, new_id(aid, "att"), &m));
    keep(m);
    assert_string_equal(str(m, "id"), due);
    assert_int_equal(json_integer_value(json_object_get(m, "attempts")), 1);
    assert_string_equal(str(m, "locked_by"), "node-a");
    assert_int_equal(json_integer_value(json_object_get(m, "locked_until_ms")), t0 + LEASE);
    a = GET(PC_ENT_WEBHOOK_ATTEMPT, tid, aid);
    assert_string_equal(str(a, "status"), "pending");
    assert_string_equal(str(a, "message_id"), due);
    assert_int_equal(json_integer_value(json_object_get(a, "attempt")), 1);
    /* leased: not claimed again; the other is not due yet */
    EXPECT(claim("node-b", t0 + 1000, "att-x", &m), PC_ERR_NOT_FOUND);
    /* settled by its node: delivered, the lease released, the attempt recorded */
    OK(ops->webhook_settle(
        st, tid, due, "node-a", aid,
        keep(json_pack("{s:s,s:i}", "status", "delivered", "response_status", 204)),
        keep(json_pack("{s:s,s:I}", "status", "delivered", "done_at", (json_int_t)now))));
    m = GET(PC_ENT_WEBHOOK_MESSAGE, tid, due);
    assert_string_equal(str(m, "status"), "delivered");
    assert_true(json_is_null(json_object_get(m, "locked_by")));
    a = GET(PC_ENT_WEBHOOK_ATTEMPT, tid, aid);
    assert_string_equal(str(a, "status"), "delivered");
    assert_int_equal(json_integer_value(json_object_get(a, "response_status")), 204);
    /* the later one when it is due; the delivered one never again */
    OK(claim("node-b", t0 + 5000, new_id(aid, "att"), &m));
    assert_string_equal(str(keep(m), "id"), later);
    q.filters = keep(json_pack("{s:s}", "webhook_id", wid));
    attempts = OUT(ops->list(st, NULL, PC_ENT_WEBHOOK_ATTEMPT, tid, &q, &out_));
    assert_int_equal(json_array_size(attempts), 2);
    OK(ops->remove(st, NULL, PC_ENT_WEBHOOK, tid, wid));
}

void webhook_lease_expiry_lets_another_node_claim(void **state)
{
    char wid[ID_LEN], mid[ID_LEN], a1[ID_LEN], a2[ID_LEN];
    int64_t t0 = base_ms(), pending = -1, oldest = -1;
    json_t *m;

    make_webhook(wid, tid, 1);
    make_message(mid, tid, wid, t0);
    OK(claim("dead-node", t0, new_id(a1, "att"), &m));
    keep(m);
    OK(ops->webhook_stats(st, &pending, &oldest));
    assert_true(pending >= 1);
    assert_true(oldest > 0 && oldest <= now);
    EXPECT(claim("node-b", t0 + LEASE, "att-y", &m), PC_ERR_NOT_FOUND);
    /* the lease has passed: another node claims it; the dead node's attempt is over */
    OK(claim("node-b", t0 + LEASE + 1, new_id(a2, "att"), &m));
    keep(m);
    assert_string_equal(str(m, "id"), mid);
    assert_int_equal(json_integer_value(json_object_get(m, "attempts")), 2);
    assert_string_equal(str(GET(PC_ENT_WEBHOOK_ATTEMPT, tid, a1), "status"), "failed");
    assert_string_equal(str(GET(PC_ENT_WEBHOOK_ATTEMPT, tid, a1), "error"), "interrupted");
    /* the dead node coming back cannot settle what it no longer holds */
    EXPECT(
        ops->webhook_settle(
            st, tid, mid, "dead-node", a1, keep(json_pack("{s:s}", "status", "failed")),
            keep(json_pack("{s:s,s:I}", "status", "pending", "next_attempt_ms", (json_int_t)t0))),
        PC_ERR_CONFLICT);
    OK(ops->webhook_settle(
        st, tid, mid, "node-b", a2,
        keep(json_pack("{s:s,s:i,s:s,s:I}", "status", "failed", "response_status", 500, "error",
                       "HTTP status 500", "next_attempt_at", (json_int_t)now + 30)),
        keep(json_pack("{s:s,s:I}", "status", "pending", "next_attempt_ms",
                       (json_int_t)(t0 + LEASE + 30000)))));
    m = GET(PC_ENT_WEBHOOK_MESSAGE, tid, mid);
    assert_string_equal(str(m, "status"), "pending");
    assert_int_equal(json_integer_value(json_object_get(m, "next_attempt_ms")), t0 + LEASE + 30000);
    EXPECT(claim("node-b", t0 + LEASE + 29999, "att-z", &m), PC_ERR_NOT_FOUND);
    OK(ops->remove(st, NULL, PC_ENT_WEBHOOK, tid, wid));
}

typedef struct claimer {
    pthread_t thread;
    char node[16];
    int64_t at;
    int claimed;
    char ids[MESSAGES][ID_LEN];
    pc_status failed;
} claimer;

static void *claim_all(void *arg)
{
    claimer *c = arg;
    char aid[64];
    json_t *m;
    pc_status rc;

    for (int i = 0;; i++) {
        snprintf(aid, sizeof aid, "%s-%d", c->node, i);
        rc = claim(c->node, c->at, aid, &m);
        if (rc == PC_ERR_NOT_FOUND)
            break;
        if (rc != PC_OK) {
            c->failed = rc;
            break;
        }
        if (c->claimed < MESSAGES)
            snprintf(c->ids[c->claimed], ID_LEN, "%s", str(m, "id"));
        c->claimed++;
        json_decref(m);
    }
    return NULL;
}

/* Claimers racing over a backlog: every message goes to exactly one of them. */
void webhook_claim_race_gives_each_message_once(void **state)
{
    char wid[ID_LEN], mid[MESSAGES][ID_LEN];
    claimer c[RACERS];
    int64_t t0 = base_ms();
    int total = 0;

    make_webhook(wid, tid, 1);
    for (int i = 0; i < MESSAGES; i++)
        make_message(mid[i], tid, wid, t0 + i);
    memset(c, 0, sizeof c);
    for (int i = 0; i < RACERS; i++) {
        snprintf(c[i].node, sizeof c[i].node, "racer-%d", i);
        c[i].at = t0 + MESSAGES;
        c[i].failed = PC_OK;
        assert_int_equal(pthread_create(&c[i].thread, NULL, claim_all, &c[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(c[i].thread, NULL);
        if (c[i].failed != PC_OK)
            print_error("racer %d: %s\n", i, status_name(c[i].failed));
        assert_int_equal(c[i].failed, PC_OK);
        total += c[i].claimed;
    }
    assert_int_equal(total, MESSAGES);
    for (int m = 0; m < MESSAGES; m++) {
        int seen = 0;
        for (int i = 0; i < RACERS; i++)
            for (int k = 0; k < c[i].claimed && k < MESSAGES; k++)
                seen += strcmp(c[i].ids[k], mid[m]) == 0;
        assert_int_equal(seen, 1);
    }
    OK(ops->remove(st, NULL, PC_ENT_WEBHOOK, tid, wid));
}

void webhook_disabled_or_removed_is_not_claimed(void **state)
{
    char off[ID_LEN], on[ID_LEN], m1[ID_LEN], m2[ID_LEN], aid[ID_LEN];
    int64_t t0 = base_ms();
    json_t *m;

    make_webhook(off, tid, 0);
    make_webhook(on, tid, 1);
    make_message(m1, tid, off, t0);
    make_message(m2, tid, on, t0);
    OK(claim("node-a", t0, new_id(aid, "att"), &m));
    assert_string_equal(str(keep(m), "id"), m2);
    EXPECT(claim("node-a", t0, "att-w", &m), PC_ERR_NOT_FOUND);
    /* removing a webhook removes its messages and attempts */
    OK(ops->remove(st, NULL, PC_ENT_WEBHOOK, tid, on));
    ABSENT(PC_ENT_WEBHOOK_MESSAGE, tid, m2);
    ABSENT(PC_ENT_WEBHOOK_ATTEMPT, tid, aid);
    OK(ops->remove(st, NULL, PC_ENT_WEBHOOK, tid, off));
    ABSENT(PC_ENT_WEBHOOK_MESSAGE, tid, m1);
}
