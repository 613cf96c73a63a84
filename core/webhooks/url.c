/* SPDX-License-Identifier: Apache-2.0 */
/* Which webhook URLs may be saved (API.md §17, §20); the address itself is checked again at delivery. */
#include "webhooks/webhooks.h"
#include "server/outbound.h"
#include "server/server.h"
#include "util/netaddr.h"

#include <curl/curl.h>
#include <string.h>

int pc_webhooks_allow_private(void)
{
    return pc_srv->cfg.webhook_allow_private || pc_srv->cfg.outbound_allow_private;
}

/* A numeric host that no delivery could reach while private addresses are refused. */
static int numeric_private(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    struct sockaddr_storage ss;
    int bad = 0;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        bad = pc_netaddr_parse(host, &ss) &&
              !pc_netaddr_allowed(pc_netaddr_classify((struct sockaddr *)&ss, sizeof ss), 0);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return bad;
}

const char *pc_webhook_url_problem(const char *url)
{
    int allow = pc_webhooks_allow_private();
    const char *problem = pc_outbound_url_problem(url, PC_OUTBOUND_HTTP_ANY, allow);

    if (problem != NULL)
        return problem;
    if (!allow && numeric_private(url))
        return "url must not name a private, loopback or link-local address";
    if (strlen(url) > 2048)
        return "url must be at most 2048 characters";
    return NULL;
}
