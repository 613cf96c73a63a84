/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP server: route table, dispatch, and a graceful stop that drains in-flight requests. */
#ifndef PC_HTTP_ROUTER_H
#define PC_HTTP_ROUTER_H

/** The most connections the server holds at once. */
#define PC_HTTP_MAX_CONNECTIONS 4096

/** Start listening on the configured address; 0 or -1 (logged). */
int pc_http_start(void);
/** Stop accepting, let in-flight requests finish (up to `grace_ms`), then stop. */
void pc_http_stop(long grace_ms);
#endif
