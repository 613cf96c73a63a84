/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_listen: /metrics on an address of its own, so the public listener need not serve it. */
#ifndef PC_HTTP_METRICS_LISTENER_H
#define PC_HTTP_METRICS_LISTENER_H

/** Listen on `hostport` ("127.0.0.1:9464"), serving only GET /metrics. 0, or -1 (logged). */
int pc_http_metrics_listener_start(const char *hostport);
/** Stop it (nothing if it was not started). */
void pc_http_metrics_listener_stop(void);

#endif
