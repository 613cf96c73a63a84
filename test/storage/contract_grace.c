/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of schema 5: the refresh grace window and a session's last use. */
#include "contract_grace.h"
#include "contract_support.h"

#define GRACE 30

static const char *text_of(const json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static int64_t int_of(const json_t *rec, const char *key)
{
    return json_integer_value(json_object_get(rec, key));
}

/* A grant rotated once at `now` (generation 0 "h0" -> 1 "h-next"): h0 is the token just replaced. */
static void make_rotated(char *g, const char *uid, int64_t expires_at)
{
    json_t *out = NULL;

    make_refresh(new_id(g, "rg"), tid, uid, NULL, expires_at);
    OK(ops->refresh_rotate(st, NULL, tid, g, 0, "cli", "h0", "h-next", expires_at, now, &out));
    keep(out);
}

/* A retry presenting the replaced token "h0" at `at`, against generation `from`. */
static pc_status retry(const char *g, int64_t from, const char *next, int64_t at, json_t **out)
{
    pc_status rc;

    *out = NULL;
    rc = ops->refresh_rotate_grace(st, NULL, tid, g, from, "cli", "h0", at - GRACE, next,
                                   now + 7200, at, out);
    keep(*out);
    return rc;
}

void refresh_rotate_keeps_the_replaced_hash(void **state)
{
    char uid[ID_LEN], g[ID_LEN];
    json_t *rec;

    make_user(uid, tid, "gia", NULL);
    make_rotated(g, uid, now + 3600);
    rec = GET(PC_ENT_REFRESH, tid, g);
    assert_string_equal(text_of(rec, "prev_hash"), "h0");
    assert_string_equal(text_of(rec, "secret_hash"), "h-next");
    assert_int_equal(int_of(rec, "rotated_at"), now);
}

void refresh_grace_accepted_within_the_window(void **state)
{
    char uid[ID_LEN], g[ID_LEN];
    json_t *out = NULL;

    make_user(uid, tid, "hal", NULL);
    make_rotated(g, uid, now + 3600);
    OK(retry(g, 1, "h-retry", now + 5, &out));
    assert_int_equal(int_of(out, "generation"), 2);
    assert_string_equal(text_of(out, "secret_hash"), "h-retry");
    assert_int_equal(int_of(out, "expires_at"), now + 7200);
    /* the window is the first rotation's: neither the replaced hash nor its time moved */
    assert_string_equal(text_of(out, "prev_hash"), "h0");
    assert_int_equal(int_of(out, "rotated_at"), now);
    /* a second lost answer: retried again, still inside the window */
    OK(retry(g, 2, "h-retry2", now + 29, &out));
    assert_int_equal(int_of(out, "generation"), 3);
    /* another client may not retry it */
    out = NULL;
    EXPECT(ops->refresh_rotate_grace(st, NULL, tid, g, 3, "other", "h0", now - 1, "h-x", now + 60,
                                     now + 1, &out),
           PC_ERR_CONFLICT);
    keep(out);
    assert_int_equal(int_of(GET(PC_ENT_REFRESH, tid, g), "generation"), 3);
}

void refresh_grace_refused_after_the_window(void **state)
{
    char uid[ID_LEN], g[ID_LEN], dead[ID_LEN];
    json_t *out = NULL;

    make_user(uid, tid, "ivy", NULL);
    make_rotated(g, uid, now + 3600);
    /* one second past the window: a replay, answered with the record */
    EXPECT(retry(g, 1, "h-late", now + GRACE + 1, &out), PC_ERR_CONFLICT);
    assert_non_null(out);
    assert_string_equal(text_of(out, "secret_hash"), "h-next");
    /* a hash that is not the replaced token's, and a stale generation */
    out = NULL;
    EXPECT(ops->refresh_rotate_grace(st, NULL, tid, g, 1, "cli", "h-next", now - 1, "h-x", now + 60,
                                     now, &out),
           PC_ERR_CONFLICT);
    keep(out);
    EXPECT(retry(g, 0, "h-x", now + 1, &out), PC_ERR_CONFLICT);
    assert_string_equal(text_of(GET(PC_ENT_REFRESH, tid, g), "secret_hash"), "h-next");
    /* a revoked grant, an expired one */
    OK(ops->refresh_revoke(st, NULL, tid, "id", g, now, NULL));
    EXPECT(retry(g, 1, "h-x", now + 1, &out), PC_ERR_NOT_FOUND);
    make_rotated(dead, uid, now + 10);
    EXPECT(retry(dead, 1, "h-x", now + 11, &out), PC_ERR_NOT_FOUND);
}

typedef struct retrier {
    pthread_t thread;
    const char *id;
    char next[16];
    pc_status rc;
} retrier;

static void *retry_thread(void *arg)
{
    retrier *r = arg;
    json_t *out = NULL;

    r->rc = ops->refresh_rotate_grace(st, NULL, tid, r->id, 1, "cli", "h0", now - GRACE, r->next,
                                      now + 60, now + 1, &out);
    json_decref(out);
    return NULL;
}

/* Concurrent retries of one replaced token: one wins, and its successor is the grant's one token. */
void refresh_grace_race_leaves_one_chain(void **state)
{
    char uid[ID_LEN], g[ID_LEN];
    retrier r[RACERS];
    int won = -1, lost = 0;
    json_t *rec;

    make_user(uid, tid, "jon", NULL);
    make_rotated(g, uid, now + 3600);
    for (int i = 0; i < RACERS; i++) {
        r[i] = (retrier){.id = g, .rc = PC_ERR_INTERNAL};
        snprintf(r[i].next, sizeof r[i].next, "h-race-%d", i);
        assert_int_equal(pthread_create(&r[i].thread, NULL, retry_thread, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(r[i].thread, NULL);
        if (r[i].rc == PC_OK) {
            assert_int_equal(won, -1);
            won = i;
        }
        lost += r[i].rc == PC_ERR_CONFLICT;
        if (r[i].rc != PC_OK && r[i].rc != PC_ERR_CONFLICT)
            print_error("retrier %d: %s\n", i, status_name(r[i].rc));
    }
    assert_true(won >= 0);
    assert_int_equal(lost, RACERS - 1);
    rec = GET(PC_ENT_REFRESH, tid, g);
    assert_int_equal(int_of(rec, "generation"), 2);
    assert_string_equal(text_of(rec, "secret_hash"), r[won].next);
    assert_true(json_is_null(json_object_get(rec, "revoked_at")));
}

void session_last_used_round_trips(void **state)
{
    char uid[ID_LEN], sid[ID_LEN];
    json_t *patch;

    make_user(uid, tid, "kim", NULL);
    make_session(new_id(sid, "ses"), tid, uid, 0);
    assert_true(json_is_null(json_object_get(GET(PC_ENT_SESSION, tid, sid), "last_used")));
    patch = keep(json_pack("{s:I}", "last_used", (json_int_t)now + 61));
    OK(ops->update(st, NULL, PC_ENT_SESSION, tid, sid, patch, NULL, 0));
    assert_int_equal(int_of(GET(PC_ENT_SESSION, tid, sid), "last_used"), now + 61);
}
