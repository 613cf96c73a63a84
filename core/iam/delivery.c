/* SPDX-License-Identifier: Apache-2.0 */
/* The delivery queue: one-time codes leave through a bounded queue and threads of their own, never an HTTP worker. */
#include "iam/delivery.h"
#include "iam/audit.h"
#include "iam/providers.h"
#include "server/metrics.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    struct job *next;
    char *tenant_id, *to, *subject, *text, *method, *actor, *user_id, *ip, *event;
    json_t *provider, *vars;
} job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    job *head, *tail;
    unsigned waiting, capacity, nthreads;
    int running, stopping;
    pthread_t *threads;
    pc_delivery_sender sender;
} q = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static char *dup_or_null(const char *s)
{
    return s != NULL ? pc_strdup(s) : NULL;
}

static void wipe(char *s)
{
    if (s != NULL)
        memset(s, 0, strlen(s));
}

static void job_free(job *j)
{
    if (j == NULL)
        return;
    wipe(j->text);
    /* the code is in the template variables too */
    wipe((char *)json_string_value(json_object_get(j->vars, "code")));
    free(j->tenant_id);
    free(j->to);
    free(j->subject);
    free(j->text);
    free(j->method);
    free(j->actor);
    free(j->user_id);
    free(j->ip);
    free(j->event);
    json_decref(j->provider);
    json_decref(j->vars);
    free(j);
}

static job *job_new(const pc_delivery_spec *s)
{
    job *j = pc_calloc(1, sizeof *j);

    j->tenant_id = pc_strdup(s->tenant_id);
    j->to = pc_strdup(s->msg->to);
    j->subject = dup_or_null(s->msg->subject);
    j->text = pc_strdup(s->msg->text);
    j->method = dup_or_null(s->method);
    j->actor = dup_or_null(s->actor);
    j->user_id = dup_or_null(s->user_id);
    j->ip = dup_or_null(s->ip);
    j->event = pc_strdup(s->failure_event ? s->failure_event : "mfa.delivery_failed");
    /* deep copies: the sender threads share nothing with the request that queued them */
    j->provider = json_deep_copy(s->provider);
    j->vars = s->msg->vars ? json_deep_copy(s->msg->vars) : NULL;
    return j;
}

/* A failed delivery: an audit event on the user, a counter, never the message or its code. */
static void record_failure(const job *j)
{
    int link = strcmp(j->event, "mfa.delivery_failed") != 0;
    json_t *details = json_pack("{s:s?,s:O?,s:O?,s:O?}", link ? "kind" : "method", j->method,
                                "provider_id", json_object_get(j->provider, "id"), "provider",
                                json_object_get(j->provider, "name"), "plugin",
                                json_object_get(j->provider, "plugin"));

    pc_metrics_count("mfa_deliveries", "outcome", "failed");
    if (pc_audit_record(NULL, j->tenant_id, j->event, j->actor, j->user_id, j->ip, details) !=
        PC_OK)
        pc_error("the audit event %s could not be written: tenant=%s subject=%s", j->event,
                 j->tenant_id, j->user_id ? j->user_id : "-");
    json_decref(details);
}

static void run(const job *j)
{
    pc_message m = {.to = j->to, .subject = j->subject, .text = j->text, .vars = j->vars};
    pc_delivery_sender send = q.sender ? q.sender : pc_provider_send;

    if (send(j->tenant_id, j->provider, &m) == PC_OK)
        pc_metrics_count("mfa_deliveries", "outcome", "sent");
    else
        record_failure(j);
}

static void *worker(void *arg)
{
    job *j;

    (void)arg;
    for (;;) {
        pthread_mutex_lock(&q.lock);
        while (!q.stopping && q.head == NULL)
            pthread_cond_wait(&q.wake, &q.lock);
        if (q.stopping) {
            pthread_mutex_unlock(&q.lock);
            return NULL;
        }
        j = q.head;
        q.head = j->next;
        if (q.head == NULL)
            q.tail = NULL;
        q.waiting--;
        pthread_mutex_unlock(&q.lock);
        run(j);
        job_free(j);
    }
}

pc_status pc_delivery_start(unsigned threads, unsigned capacity)
{
    pthread_mutex_lock(&q.lock);
    if (q.running || threads == 0) {
        pthread_mutex_unlock(&q.lock);
        return q.running ? PC_OK : PC_ERR_INVALID;
    }
    q.threads = pc_calloc(threads, sizeof *q.threads);
    q.capacity = capacity;
    q.stopping = 0;
    for (q.nthreads = 0; q.nthreads < threads; q.nthreads++)
        if (pthread_create(&q.threads[q.nthreads], NULL, worker, NULL) != 0)
            break;
    q.running = q.nthreads > 0;
    pthread_mutex_unlock(&q.lock);
    if (!q.running) {
        pc_error("the delivery threads could not be started");
        free(q.threads);
        q.threads = NULL;
        return PC_ERR_INTERNAL;
    }
    return PC_OK;
}

void pc_delivery_stop(void)
{
    job *left;
    unsigned dropped = 0;

    pthread_mutex_lock(&q.lock);
    if (!q.running) {
        pthread_mutex_unlock(&q.lock);
        return;
    }
    q.stopping = 1;
    pthread_cond_broadcast(&q.wake);
    pthread_mutex_unlock(&q.lock);
    for (unsigned i = 0; i < q.nthreads; i++)
        pthread_join(q.threads[i], NULL);
    pthread_mutex_lock(&q.lock);
    while ((left = q.head) != NULL) {
        q.head = left->next;
        job_free(left);
        dropped++;
    }
    q.tail = NULL;
    q.waiting = 0;
    q.running = 0;
    free(q.threads);
    q.threads = NULL;
    q.nthreads = 0;
    pthread_mutex_unlock(&q.lock);
    if (dropped > 0)
        pc_warn("stopping: %u queued messages were not sent (their users may ask again)", dropped);
}

pc_status pc_delivery_enqueue(const pc_delivery_spec *spec)
{
    job *j;

    if (spec == NULL || spec->tenant_id == NULL || spec->msg == NULL || spec->msg->to == NULL ||
        spec->msg->text == NULL)
        return PC_ERR_INVALID;
    j = job_new(spec);
    pthread_mutex_lock(&q.lock);
    if (!q.running || q.stopping || q.waiting >= q.capacity) {
        int running = q.running && !q.stopping;
        pthread_mutex_unlock(&q.lock);
        job_free(j);
        pc_metrics_count("mfa_deliveries", "outcome", "rejected");
        pc_warn("delivery refused: %s tenant=%s", running ? "the queue is full" : "not running",
                spec->tenant_id);
        return PC_ERR_UNAVAILABLE;
    }
    if (q.tail != NULL)
        q.tail->next = j;
    else
        q.head = j;
    q.tail = j;
    q.waiting++;
    pthread_cond_signal(&q.wake);
    pthread_mutex_unlock(&q.lock);
    return PC_OK;
}

void pc_delivery_set_sender(pc_delivery_sender sender)
{
    q.sender = sender;
}
