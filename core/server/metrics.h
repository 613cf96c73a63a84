/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus metrics: requests by route and status, a latency histogram, named counters. */
#ifndef PC_SERVER_METRICS_H
#define PC_SERVER_METRICS_H
#include <stddef.h>

/** Record one finished request of route index `route` (see pc_metrics_route). */
void pc_metrics_request(int route, unsigned status, double seconds);
/** Register a route name once at start; returns its index. */
int pc_metrics_route(const char *name);
/** Add one to counter `portcullis_<name>_total{<key>="<value>"}` (e.g. "tokens_issued", "grant", "password"). */
void pc_metrics_count(const char *name, const char *key, const char *value);
/** Add one to a counter of two labels: portcullis_<name>_total{<key>="<v>",<key2>="<v2>"}. */
void pc_metrics_count2(const char *name, const char *key, const char *label, const char *key2,
                       const char *label2);
/** Set gauge portcullis_<name>{<key>="<label>"} to `value` (metrics_series.c). */
void pc_metrics_gauge(const char *name, const char *key, const char *label, double value);
/** Observe a duration into histogram portcullis_<name>_seconds{<key>="<label>"}. */
void pc_metrics_observe(const char *name, const char *key, const char *label, double seconds);
/** The whole text exposition (new string). */
char *pc_metrics_render(void);
/**
 * portcullis_build_info and the standard process_* families (CPU, resident
 * memory, open and maximum descriptors, start time), from /proc (new string).
 */
char *pc_metrics_process_render(void);
/**
 * Add a source of gauges to the rendering: `fn` returns exposition text
 * (new, freed by the caller) or NULL. At most a few; call before serving.
 */
void pc_metrics_add_source(char *(*fn)(void));
#endif
