/* SPDX-License-Identifier: Apache-2.0 */
/* DPoP on HTTP requests (RFC 9449 §7): the scheme, the request's htm and htu, the nonce header. */
#include "http/dpop.h"
#include "oauth2/dpop.h"
#include "server/server.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *pc_req_dpop_token(const pc_req *rq)
{
    const char *h = pc_req_header(rq, "Authorization");

    if (h == NULL || strncasecmp(h, "DPoP ", 5) != 0)
        return NULL;
    for (h += 5; *h == ' ';)
        h++;
    return *h ? h : NULL;
}

pc_status pc_http_dpop_sender(pc_req *rq, const json_t *claims, const char *token, int dpop_scheme,
                              const char **why)
{
    const char *url = pc_req_url(rq), *error;
    /* RFC 9449 §4.3: the URL the client addressed, which is PUBLIC_URL's, without the query */
    char *htu = pc_asprintf("%s%.*s", pc_srv->cfg.public_url, (int)strcspn(url, "?"), url);
    pc_status rc =
        pc_oauth2_dpop_resource(rq->tenant, claims, dpop_scheme, pc_req_header(rq, "DPoP"),
                                pc_req_method(rq), htu, token, &error, why);

    free(htu);
    if ((rc == PC_DECLINED || rc == PC_ERR_DENIED) && pc_srv->cfg.dpop_nonce) {
        char *nonce = pc_oauth2_dpop_nonce(rq->tenant);
        pc_reply_header(rq, "DPoP-Nonce", nonce);
        free(nonce);
    }
    return rc;
}
