/* SPDX-License-Identifier: Apache-2.0 */
/* A deadline for reading each whole request, which trickled bytes do not extend. */
#ifndef PC_HTTP_CONN_GUARD_H
#define PC_HTTP_CONN_GUARD_H

#include <sys/types.h>
#include <microhttpd.h>

/**
 * Start the watchdog for up to `max_connections` connections: a connection
 * whose current request is not read in full `timeout_s` seconds after the
 * connection opened (or after its previous answer was sent) is shut down.
 * 0 or -1 (logged).
 */
int pc_conn_guard_start(unsigned max_connections, long timeout_s);
/** Stop the watchdog (after the daemon has stopped). */
void pc_conn_guard_stop(void);
/** MHD_OPTION_NOTIFY_CONNECTION: tracks each connection and its socket. */
void pc_conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code);
/** The request on `c` has been read in full: its deadline no longer applies. */
void pc_conn_guard_read(struct MHD_Connection *c);
/** The answer on `c` is done: the deadline of the connection's next request starts now. */
void pc_conn_guard_idle(struct MHD_Connection *c);
#endif
