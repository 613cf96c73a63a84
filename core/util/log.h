/* SPDX-License-Identifier: Apache-2.0 */
/* Structured logging through yder: one line per event, key=value pairs, never a secret. */
#ifndef PC_UTIL_LOG_H
#define PC_UTIL_LOG_H

#include <portcullis/host.h>

#include <jansson.h>

/** Start logging to stdout at `level` ("error", "warning", "info", "debug"). */
int pc_log_init(const char *level);
/** "text" (default) or "json" (one object per line); -1 for another name. */
int pc_log_format(const char *name);
/** The request the calling thread serves: its id goes on every line it logs ("" or NULL: none). */
void pc_log_request_id_set(const char *id);
/**
 * One event with fields (borrowed JSON object of strings and numbers): in JSON,
 * the fields are members of the line's object; in text, key=value after the event.
 */
void pc_log_event(pc_log_level level, const char *event, json_t *fields);
void pc_log_close(void);
void pc_log(pc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pc_logv(pc_log_level level, const char *fmt, va_list ap);
int pc_log_enabled(pc_log_level level);
/**
 * A token or secret reduced to something safe to log: its first 6
 * characters and its length ("eyJhbG…(812)"). Writes into buf.
 */
const char *pc_log_redact(const char *secret, char *buf, size_t len);

/** The state of one rate-limited message (zero-initialised, static storage). */
typedef struct pc_log_rate {
    long long last;           /**< monotonic second of the last line written */
    unsigned long suppressed; /**< lines held back since */
} pc_log_rate;
/**
 * Log at most one line a second for `rate`; the next line written says how
 * many were held back. Thread-safe.
 */
void pc_log_limited(pc_log_rate *rate, pc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pc_log_limitedv(pc_log_rate *rate, pc_log_level level, const char *fmt, va_list ap);

#define pc_error(...) pc_log(PC_LOG_ERROR, __VA_ARGS__)
#define pc_warn(...) pc_log(PC_LOG_WARNING, __VA_ARGS__)
#define pc_info(...) pc_log(PC_LOG_INFO, __VA_ARGS__)
#define pc_debug(...) pc_log(PC_LOG_DEBUG, __VA_ARGS__)

#endif
