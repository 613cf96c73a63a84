/* SPDX-License-Identifier: Apache-2.0 */
/* The host-services table handed to every plugin, and the outbound HTTP client behind it. */
#ifndef PC_SERVER_HOST_H
#define PC_SERVER_HOST_H
#include <portcullis/host.h>

const pc_host *pc_host_table(void);
/** Outbound HTTP with libcurl (providers). */
pc_status pc_http_client_send(const pc_http_request *rq, pc_http_response *out);
#endif
