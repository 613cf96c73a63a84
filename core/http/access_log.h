/* SPDX-License-Identifier: Apache-2.0 */
/* One access-log line per answered request: what was asked, of whom, with what result. */
#ifndef PC_HTTP_ACCESS_LOG_H
#define PC_HTTP_ACCESS_LOG_H

typedef struct pc_req pc_req;

/**
 * Log the request at info level: method, route, status, duration, tenant,
 * client id, client address and request id. Never a token, secret, code or
 * query string.
 */
void pc_http_access_log(pc_req *rq, unsigned status, double seconds);

#endif
