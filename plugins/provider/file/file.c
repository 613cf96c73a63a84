/* SPDX-License-Identifier: Apache-2.0 */
/* The file provider (API.md §10): each message as one JSON file in `dir`, names sorting by creation time. */
#include "provider_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const pc_host *host;
static unsigned sequence; /* atomic: orders messages made within one nanosecond */

static pc_status init(const pc_host *h, const json_t *config, void **state)
{
    (void)config;
    host = h;
    *state = NULL;
    return PC_OK;
}

static pc_status check_config(void *state, const json_t *config, const char **problem)
{
    static const char *const known[] = {"dir", NULL};
    const char *dir = json_string_value(json_object_get(config, "dir"));

    (void)state;
    if (!pv_known_keys(config, known, problem))
        return PC_ERR_INVALID;
    if (dir == NULL || dir[0] != '/' || strlen(dir) > 1024) {
        *problem = "dir must be an absolute directory path";
        return PC_ERR_INVALID;
    }
    return PC_OK;
}

static json_t *message_json(const pc_message *msg)
{
    char when[32];
    time_t now = (time_t)host->now();
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_pack("{s:s,s:s?,s:s,s:s}", "to", msg->to, "subject", msg->subject, "text",
                     msg->text, "created_at", when);
}

/* Write to a hidden temporary name, then rename: a reader never sees half a message. */
static pc_status write_atomically(const char *dir, const char *name, const char *text)
{
    char tmp[1200], path[1200];
    size_t len = strlen(text);
    int fd;
    ssize_t n;

    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return PC_ERR_UNAVAILABLE;
    n = write(fd, text, len);
    if (close(fd) != 0 || n != (ssize_t)len || rename(tmp, path) != 0) {
        unlink(tmp);
        return PC_ERR_UNAVAILABLE;
    }
    return PC_OK;
}

static pc_status send_message(void *state, const json_t *config, const pc_message *msg)
{
    const char *dir = json_string_value(json_object_get(config, "dir"));
    struct timespec ts;
    char name[96], *text;
    json_t *m;
    pc_status rc;

    (void)state;
    if (dir == NULL || msg->to == NULL || msg->text == NULL)
        return PC_ERR_INVALID;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        host->log(PC_LOG_ERROR, "file", "cannot create the spool directory %s", dir);
        return PC_ERR_UNAVAILABLE;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    /* Fixed-width time then a sequence number: names sort in creation order. */
    snprintf(name, sizeof name, "%011lld%09ld-%06u.json", (long long)ts.tv_sec, ts.tv_nsec,
             __atomic_add_fetch(&sequence, 1, __ATOMIC_RELAXED) % 1000000u);
    m = message_json(msg);
    text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    rc = text ? write_atomically(dir, name, text) : PC_ERR_INTERNAL;
    if (rc != PC_OK)
        host->log(PC_LOG_ERROR, "file", "cannot write a message into %s", dir);
    free(text);
    return rc;
}

static const char *const secrets[] = {NULL};

static const pc_provider_ops ops = {
    .base =
        PC_PLUGIN_BASE(pc_provider_ops, PC_KIND_PROVIDER, "file", "1.0.0",
                       "Development spool: each message as a JSON file in a directory", init, NULL),
    .channel = NULL, /* both email and SMS */
    .check_config = check_config,
    .secret_fields = secrets,
    .send = send_message,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
