/* SPDX-License-Identifier: Apache-2.0 */
/* Structured logging: one line per event on standard output, as text or JSON, never a secret. */
#include "util/log.h"
#include "util/mem.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yder.h>

static pc_log_level current = PC_LOG_INFO;
static int json_format;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread char request_id[65];

static unsigned long yder_level(pc_log_level l)
{
    switch (l) {
    case PC_LOG_ERROR: return Y_LOG_LEVEL_ERROR;
    case PC_LOG_WARNING: return Y_LOG_LEVEL_WARNING;
    case PC_LOG_INFO: return Y_LOG_LEVEL_INFO;
    default: return Y_LOG_LEVEL_DEBUG;
    }
}

static const char *level_word(unsigned long yl)
{
    switch (yl) {
    case Y_LOG_LEVEL_ERROR: return "error";
    case Y_LOG_LEVEL_WARNING: return "warning";
    case Y_LOG_LEVEL_INFO: return "info";
    default: return "debug";
    }
}

/* Line breaks (libpq's DETAIL/HINT lines among them) become " | ", so one event is one line. */
static void fold(const char *in, char *out, size_t len)
{
    size_t n = strlen(in), w = 0;

    while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r' || in[n - 1] == ' '))
        n--;
    for (size_t r = 0; r < n && w + 4 < len; r++) {
        if (in[r] != '\n' && in[r] != '\r') {
            out[w++] = in[r];
            continue;
        }
        while (w > 0 && out[w - 1] == ' ')
            w--;
        while (r + 1 < n && strchr("\r\n \t", in[r + 1]) != NULL)
            r++;
        memcpy(out + w, " | ", 3);
        w += 3;
    }
    out[w] = '\0';
}

static void stamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;

    char ms[8];
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ms, sizeof ms, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
    snprintf(buf + n, len - n, "%s", ms);
}

/* One line out: `fields` (borrowed, may be NULL) are extra key/value pairs of the event. */
static void emit(const char *level, const char *message, json_t *fields)
{
    char when[40], msg[2048], *line = NULL;

    stamp(when, sizeof when);
    fold(message, msg, sizeof msg);
    if (json_format) {
        json_t *o = json_pack("{s:s,s:s,s:s}", "time", when, "level", level, "msg", msg);
        if (request_id[0] != '\0')
            json_object_set_new(o, "request_id", json_string(request_id));
        if (fields != NULL)
            json_object_update(o, fields);
        line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        json_decref(o);
    }
    pthread_mutex_lock(&out_lock);
    if (line != NULL)
        fprintf(stdout, "%s\n", line);
    else if (request_id[0] != '\0')
        fprintf(stdout, "%s %s request_id=%s %s\n", when, level, request_id, msg);
    else
        fprintf(stdout, "%s %s %s\n", when, level, msg);
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
    free(line);
}

/* Everything yder is given (ulfius's messages too) comes here. */
static void from_yder(void *cls, const char *app, const time_t date, const unsigned long level,
                      const char *message)
{
    (void)cls;
    (void)app;
    (void)date;
    emit(level_word(level), message, NULL);
}

int pc_log_init(const char *level)
{
    if (level == NULL || strcasecmp(level, "info") == 0)
        current = PC_LOG_INFO;
    else if (strcasecmp(level, "error") == 0)
        current = PC_LOG_ERROR;
    else if (strcasecmp(level, "warning") == 0)
        current = PC_LOG_WARNING;
    else if (strcasecmp(level, "debug") == 0)
        current = PC_LOG_DEBUG;
    else
        return -1;
    if (y_init_logs("portcullis", Y_LOG_MODE_CALLBACK, yder_level(current), NULL, NULL) != 1)
        return -1;
    return y_set_logs_callback(from_yder, NULL, "portcullis starting") == 1 ? 0 : -1;
}

int pc_log_format(const char *name)
{
    if (name == NULL || strcmp(name, "text") == 0)
        json_format = 0;
    else if (strcmp(name, "json") == 0)
        json_format = 1;
    else
        return -1;
    return 0;
}

void pc_log_request_id_set(const char *id)
{
    snprintf(request_id, sizeof request_id, "%s", id ? id : "");
}

/* Text form of an event: "event key=value ...", a value with spaces or quotes JSON-quoted. */
static char *kv_line(const char *event, json_t *fields)
{
    char *line = pc_strdup(event), *next, *val;
    const char *key;
    json_t *v;

    json_object_foreach (fields, key, v) {
        char *plain = json_is_string(v)
                          ? NULL
                          : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(6));
        const char *s = plain ? plain : json_string_value(v);
        int quote = strpbrk(s, " \"=\\") != NULL || *s == '\0';
        val = quote ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
        next = pc_asprintf("%s %s=%s", line, key, val ? val : s);
        free(val);
        free(plain);
        free(line);
        line = next;
    }
    return line;
}

void pc_log_event(pc_log_level level, const char *event, json_t *fields)
{
    char *text;

    if (!pc_log_enabled(level))
        return;
    if (json_format) {
        emit(level_word(yder_level(level)), event, fields);
        return;
    }
    text = kv_line(event, fields);
    emit(level_word(yder_level(level)), text ? text : event, NULL);
    free(text);
}

void pc_log_close(void)
{
    y_close_logs();
}

int pc_log_enabled(pc_log_level level)
{
    return level <= current;
}

void pc_logv(pc_log_level level, const char *fmt, va_list ap)
{
    char line[2048];

    if (!pc_log_enabled(level))
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    emit(level_word(yder_level(level)), line, NULL);
}

void pc_log(pc_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pc_logv(level, fmt, ap);
    va_end(ap);
}

const char *pc_log_redact(const char *secret, char *buf, size_t len)
{
    size_t n = secret ? strlen(secret) : 0;

    snprintf(buf, len, "%.6s...(%zu)", secret ? secret : "", n);
    return buf;
}

static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;

void pc_log_limitedv(pc_log_rate *rate, pc_log_level level, const char *fmt, va_list ap)
{
    struct timespec t;
    unsigned long held = 0;
    int write_it;
    char line[1024];

    if (!pc_log_enabled(level))
        return;
    clock_gettime(CLOCK_MONOTONIC, &t);
    pthread_mutex_lock(&rate_lock);
    write_it = rate->last == 0 || (long long)t.tv_sec > rate->last;
    if (write_it) {
        held = rate->suppressed;
        rate->suppressed = 0;
        rate->last = (long long)t.tv_sec;
    } else {
        rate->suppressed++;
    }
    pthread_mutex_unlock(&rate_lock);
    if (!write_it)
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    if (held > 0)
        pc_log(level, "%s (%lu similar line(s) held back)", line, held);
    else
        pc_log(level, "%s", line);
}

void pc_log_limited(pc_log_rate *rate, pc_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pc_log_limitedv(rate, level, fmt, ap);
    va_end(ap);
}
