/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/iam/delivery.c: queued messages are sent by the queue's threads, a full queue refuses at once. */
#include "test_support.h"
#include "iam/delivery.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int in_send, sent, released;

/* A provider that hangs until the test releases it, as a gateway that never answers would. */
static pc_status blocking_sender(const char *tenant_id, const json_t *provider,
                                 const pc_message *msg)
{
    (void)tenant_id;
    (void)provider;
    pthread_mutex_lock(&lock);
    in_send++;
    pthread_cond_broadcast(&changed);
    while (!released)
        pthread_cond_wait(&changed, &lock);
    in_send--;
    sent++;
    assert_non_null(msg->to);
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    return PC_OK;
}

static pc_status enqueue(const char *to)
{
    json_t *provider = json_pack("{s:s,s:s}", "id", "p1", "plugin", "file");
    json_t *vars = json_pack("{s:s}", "code", "123456");
    pc_message m = {.to = to, .subject = NULL, .text = "code 123456", .vars = vars};
    pc_status rc = pc_delivery_enqueue(
        &(pc_delivery_spec){.tenant_id = "t1", .provider = provider, .msg = &m, .method = "sms"});

    json_decref(provider);
    json_decref(vars);
    return rc;
}

/* Wait (bounded by the ctest timeout) until `*counter` reaches `want`. */
static void wait_for(int *counter, int want)
{
    pthread_mutex_lock(&lock);
    while (*counter < want)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
}

static void test_full_queue_refuses_and_everything_queued_is_sent(void **state)
{
    (void)state;
    pc_delivery_set_sender(blocking_sender);
    assert_int_equal(pc_delivery_start(2, 4), PC_OK);
    /* Both threads stuck in a send: the caller is not. */
    assert_int_equal(enqueue("+15550000001"), PC_OK);
    assert_int_equal(enqueue("+15550000002"), PC_OK);
    wait_for(&in_send, 2);
    for (int i = 0; i < 4; i++)
        assert_int_equal(enqueue("+15550000003"), PC_OK);
    assert_int_equal(enqueue("+15550000004"), PC_ERR_UNAVAILABLE);
    pthread_mutex_lock(&lock);
    released = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    wait_for(&sent, 6);
    assert_int_equal(enqueue("+15550000005"), PC_OK); /* room again */
    wait_for(&sent, 7);
    pc_delivery_stop();
    assert_int_equal(enqueue("+15550000006"), PC_ERR_UNAVAILABLE); /* stopped */
    pc_delivery_set_sender(NULL);
}

static void test_refuses_incomplete_messages(void **state)
{
    pc_message m = {.to = NULL, .text = "x"};

    (void)state;
    assert_int_equal(pc_delivery_enqueue(NULL), PC_ERR_INVALID);
    assert_int_equal(pc_delivery_enqueue(&(pc_delivery_spec){.tenant_id = "t", .msg = &m}),
                     PC_ERR_INVALID);
    pc_delivery_stop(); /* not running: nothing to do */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_queue_refuses_and_everything_queued_is_sent),
        cmocka_unit_test(test_refuses_incomplete_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
