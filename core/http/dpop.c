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

const char *pc_req_access_token(const pc_req *rq, int *dpop_scheme)
{
    const char *dpop = pc_req_dpop_token(rq);

    *dpop_scheme = dpop != NULL;
    return dpop != NULL ? dpop : pc_req_bearer(rq);
}

pc_status pc_http_access_accept(pc_req *rq, const char *token, int dpop_scheme, json_t **claims,
                                const char **error, const char **why)
{
    const char *url = pc_req_url(rq);
    /* RFC 9449 §4.3: the URL the client addressed, which is PUBLIC_URL's, without the query */
    char *htu = pc_asprintf("%s%.*s", pc_srv->cfg.public_url, (int)strcspn(url, "?"), url);
    pc_token_presented how = {.scheme = dpop_scheme ? PC_TOKEN_AS_DPOP : PC_TOKEN_AS_BEARER,
                              .proof = pc_req_header(rq, "DPoP"),
                              .method = pc_req_method(rq),
                              .htu = htu};
    pc_status rc = pc_oauth2_access_accept(rq->tenant, token, &how, claims, error, why);

    free(htu);
    if ((rc == PC_DECLINED || (rc == PC_ERR_DENIED && *why != NULL)) && pc_srv->cfg.dpop_nonce) {
        char *nonce = pc_oauth2_dpop_nonce(rq->tenant);
        pc_reply_header(rq, "DPoP-Nonce", nonce);
        free(nonce);
    }
    return rc;
}
