/* SPDX-License-Identifier: Apache-2.0 */
/* Where calls made on a tenant's behalf may go: the address check at connect time and the URL rule at save time. */
#include "server/outbound.h"
#include "server/server.h"
#include "util/log.h"
#include "util/netaddr.h"

#include <curl/curl.h>
#include <string.h>

int pc_outbound_allow_private(void)
{
    return pc_srv != NULL && pc_srv->cfg.outbound_allow_private;
}

static pc_status addr_check(const struct sockaddr *sa, size_t len, int allow, const char *setting)
{
    pc_netaddr_class c = pc_netaddr_classify(sa, len);
    char text[64];

    if (pc_netaddr_allowed(c, allow))
        return PC_OK;
    pc_warn("outbound connection refused: address=%s is %s (%s=%s)",
            pc_netaddr_str(sa, text, sizeof text), pc_netaddr_class_str(c), setting,
            allow ? "true" : "false");
    return PC_ERR_DENIED;
}

pc_status pc_outbound_addr_check(const struct sockaddr *sa, size_t len)
{
    return addr_check(sa, len, pc_outbound_allow_private(), "outbound_allow_private");
}

int pc_outbound_header_safe(const char *s)
{
    for (; s != NULL && *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t')
            return 0;
    return s != NULL;
}

/* A numeric loopback host as libcurl's URL parser gives it ("127.0.0.1", "[::1]"); names never are. */
static int numeric_loopback(const char *host)
{
    struct sockaddr_storage ss;

    return pc_netaddr_parse(host, &ss) &&
           pc_netaddr_classify((struct sockaddr *)&ss, sizeof ss) == PC_NETADDR_LOOPBACK;
}

static const char *http_problem(const char *host, unsigned flags, int allow_private)
{
    if ((flags & PC_OUTBOUND_HTTP_ANY) && allow_private)
        return NULL;
    if ((flags & PC_OUTBOUND_HTTP_LOOPBACK) && numeric_loopback(host))
        return NULL;
    if (flags & PC_OUTBOUND_HTTP_LOOPBACK)
        return "url must be https:// (http:// only to a numeric loopback address such as "
               "127.0.0.1 or [::1])";
    return "url must be an https:// URL";
}

const char *pc_outbound_url_problem(const char *url, unsigned flags, int allow_private)
{
    CURLU *u;
    char *scheme = NULL, *host = NULL;
    const char *problem = "url must be an absolute https:// URL";

    if (url == NULL || !pc_outbound_header_safe(url) || strchr(url, ' ') != NULL)
        return "url must be an absolute https:// URL without spaces or control characters";
    /* The parser that will make the call decides what the host is: no second opinion. */
    u = curl_url();
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && *host != '\0') {
        if (strcmp(scheme, "https") == 0)
            problem = NULL;
        else if (strcmp(scheme, "http") == 0)
            problem = http_problem(host, flags, allow_private);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return problem;
}

/* libcurl asks us for every socket it connects: the resolved address is checked right here. */
static curl_socket_t open_checked(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    const int *webhook_allow = clientp;
    pc_status rc;

    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    if (webhook_allow != NULL)
        rc = addr_check(&a->addr, (size_t)a->addrlen, *webhook_allow || pc_outbound_allow_private(),
                        "webhook_allow_private");
    else
        rc = pc_outbound_addr_check(&a->addr, (size_t)a->addrlen);
    if (rc != PC_OK)
        return CURL_SOCKET_BAD;
    return socket(a->family, a->socktype, a->protocol);
}

void pc_outbound_guard_webhook(void *curl, const int *allow_private)
{
    pc_outbound_guard(curl);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, (void *)allow_private);
}

void pc_outbound_guard(void *curl)
{
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, NULL);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
}
