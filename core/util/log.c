/* SPDX-License-Identifier: Apache-2.0 */
/* Structured logging through yder. */
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yder.h>

static pc_log_level current = PC_LOG_INFO;

static unsigned long yder_level(pc_log_level l)
{
    switch (l) {
    case PC_LOG_ERROR: return Y_LOG_LEVEL_ERROR;
    case PC_LOG_WARNING: return Y_LOG_LEVEL_WARNING;
    case PC_LOG_INFO: return Y_LOG_LEVEL_INFO;
    default: return Y_LOG_LEVEL_DEBUG;
    }
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
    return y_init_logs("portcullis", Y_LOG_MODE_CONSOLE, yder_level(current), NULL,
                       "portcullis starting") == 1
               ? 0
               : -1;
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
    y_log_message(yder_level(level), "%s", line);
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
