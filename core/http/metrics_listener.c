/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_listen: /metrics on an address of its own, so the public listener need not serve it. */
#include "http/metrics_listener.h"
#include "server/metrics.h"
#include "util/log.h"
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static struct MHD_Daemon *daemon_;
static struct sockaddr_storage addr;

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    int found = strcmp(method, "GET") == 0 && strcmp(url, "/metrics") == 0;
    char *text = found ? pc_metrics_render() : strdup("not found\n");
    struct MHD_Response *r;
    enum MHD_Result rc;

    (void)cls, (void)version, (void)upload, (void)con_cls;
    if (*upload_size != 0) {
        *upload_size = 0; /* a body is read and ignored */
        free(text);
        return MHD_YES;
    }
    r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type",
                            found ? "text/plain; version=0.0.4" : "text/plain; charset=utf-8");
    rc = MHD_queue_response(c, found ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, r);
    MHD_destroy_response(r);
    return rc;
}

int pc_http_metrics_listener_start(const char *hostport)
{
    if (!pc_netaddr_parse_hostport(hostport, &addr)) {
        pc_error("PORTCULLIS_METRICS_LISTEN must be IPV4:PORT or [IPV6]:PORT, not \"%s\"",
                 hostport);
        return -1;
    }
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                                   (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                               0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                               MHD_OPTION_CONNECTION_LIMIT, 16, MHD_OPTION_CONNECTION_TIMEOUT, 10,
                               MHD_OPTION_END);
    if (daemon_ == NULL) {
        pc_error("cannot listen on %s for metrics", hostport);
        return -1;
    }
    pc_info("metrics on http://%s/metrics (not on the main listener)", hostport);
    return 0;
}

void pc_http_metrics_listener_stop(void)
{
    if (daemon_ != NULL)
        MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}
