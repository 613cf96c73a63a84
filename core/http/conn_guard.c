/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A deadline for reading each whole request. MHD's connection timeout is an
 * idle timeout that every trickled byte renews, so a slow client could hold
 * a connection for ever; this watchdog shuts down the socket of a connection
 * whose request is not read in full within the deadline. The table lock is
 * held while a socket is shut down, and MHD reports a connection closed (which
 * takes the same lock) before it closes the socket, so a descriptor reused by
 * a newer connection is never touched.
 */
#include "http/conn_guard.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define SCAN_MS 200

typedef struct slot {
    int fd;
    int armed;    /* a request is being read: the deadline applies */
    double since; /* when the deadline's clock started */
    size_t next_free;
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int running;
static slot *slots;
static size_t nslots, free_head;
static double deadline_s;
static pc_log_rate closed_rate;

#define NONE ((size_t)-1)

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Shut down the sockets past their deadline; called with the lock held. */
static unsigned scan(double now)
{
    unsigned closed = 0;

    for (size_t i = 0; i < nslots; i++)
        if (slots[i].fd >= 0 && slots[i].armed && now - slots[i].since >= deadline_s) {
            shutdown(slots[i].fd, SHUT_RDWR);
            slots[i].armed = 0;
            closed++;
        }
    return closed;
}

static void *watch(void *arg)
{
    struct timespec until;

    (void)arg;
    pthread_mutex_lock(&lock);
    while (running) {
        unsigned closed = scan(now_s());
        if (closed > 0)
            pc_log_limited(&closed_rate, PC_LOG_WARNING,
                           "closed %u connection(s) that did not send a whole request within "
                           "%.0f s (request_read_timeout)",
                           closed, deadline_s);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += SCAN_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&wake, &lock, &until);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int pc_conn_guard_start(unsigned max_connections, long timeout_s)
{
    nslots = max_connections;
    slots = pc_calloc(nslots, sizeof *slots);
    for (size_t i = 0; i < nslots; i++) {
        slots[i].fd = -1;
        slots[i].next_free = i + 1 < nslots ? i + 1 : NONE;
    }
    free_head = nslots ? 0 : NONE;
    deadline_s = (double)timeout_s;
    running = 1;
    if (pthread_create(&thread, NULL, watch, NULL) != 0) {
        pc_error("cannot start the request deadline watchdog");
        running = 0;
        return -1;
    }
    return 0;
}

void pc_conn_guard_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    running = 0;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    free(slots);
    slots = NULL;
    nslots = 0;
}

static void opened(struct MHD_Connection *c, void **socket_context)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    size_t i = free_head;

    if (i == NONE || ci == NULL)
        return; /* more connections than slots: MHD's own limit is lower, so never */
    free_head = slots[i].next_free;
    slots[i].fd = ci->connect_fd;
    slots[i].armed = 1;
    slots[i].since = now_s();
    *socket_context = (void *)(uintptr_t)(i + 1);
}

void pc_conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    size_t i = (size_t)(uintptr_t)*socket_context;

    (void)cls;
    pthread_mutex_lock(&lock);
    if (slots != NULL && code == MHD_CONNECTION_NOTIFY_STARTED) {
        opened(c, socket_context);
    } else if (slots != NULL && code == MHD_CONNECTION_NOTIFY_CLOSED && i > 0 && i <= nslots) {
        slots[i - 1].fd = -1;
        slots[i - 1].armed = 0;
        slots[i - 1].next_free = free_head;
        free_head = i - 1;
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&lock);
}

static void set_armed(struct MHD_Connection *c, int armed)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    size_t i = ci ? (size_t)(uintptr_t)ci->socket_context : 0;

    pthread_mutex_lock(&lock);
    if (slots != NULL && i > 0 && i <= nslots && slots[i - 1].fd >= 0) {
        slots[i - 1].armed = armed;
        slots[i - 1].since = now_s();
    }
    pthread_mutex_unlock(&lock);
}

void pc_conn_guard_read(struct MHD_Connection *c)
{
    set_armed(c, 0);
}

void pc_conn_guard_idle(struct MHD_Connection *c)
{
    set_armed(c, 1);
}
