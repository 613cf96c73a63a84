/* SPDX-License-Identifier: Apache-2.0 */
/* The exposition text being built by pc_metrics_render, shared by the files that write parts of it. */
#ifndef PC_SERVER_METRICS_TEXT_H
#define PC_SERVER_METRICS_TEXT_H
#include <stddef.h>

/** A growing string; start it as {NULL, 0, 0}. */
typedef struct pc_mtext {
    char *s;
    size_t len, cap;
} pc_mtext;

/** Append printf-formatted text. */
void pc_mtext_emit(pc_mtext *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Append the labelled gauges and histograms (metrics_series.c). */
void pc_metrics_series_render(pc_mtext *o);
#endif
