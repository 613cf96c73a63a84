/* SPDX-License-Identifier: Apache-2.0 */
/* Bridges an HTTP request to the protocol code in core/oauth2 and renders its reply. */
#include "http/oauth_glue.h"
#include "http/dpop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

static const char *form_param(void *ctx, const char *name)
{
    return pc_req_form(ctx, name);
}

static void render(pc_req *rq, pc_oauth_reply *reply)
{
    char retry[24];

    if (reply->retry_after > 0) {
        snprintf(retry, sizeof retry, "%lld", (long long)reply->retry_after);
        pc_reply_header(rq, "Retry-After", retry);
    }
    if (reply->www_authenticate != NULL)
        pc_reply_header(rq, "WWW-Authenticate", reply->www_authenticate);
    if (reply->dpop_nonce != NULL) /* RFC 9449 §8 */
        pc_reply_header(rq, "DPoP-Nonce", reply->dpop_nonce);
    free(reply->dpop_nonce);
    reply->dpop_nonce = NULL;
    /* RFC 6749 §5.1 */
    pc_reply_header(rq, "Cache-Control", "no-store");
    pc_reply_header(rq, "Pragma", "no-cache");
    if (reply->body != NULL)
        pc_reply_json(rq, reply->status, reply->body);
    else
        pc_reply_json(rq, reply->status ? reply->status : 200, json_object());
    reply->body = NULL;
}

/* The endpoint path under the issuer ("/oauth2/token"), without the query: into buf. */
static const char *endpoint_of(pc_req *rq, char *buf, size_t len)
{
    const char *p = strstr(pc_req_url(rq), "/oauth2/");

    if (p == NULL)
        return NULL;
    snprintf(buf, len, "%.*s", (int)strcspn(p, "?"), p);
    return buf;
}

void pc_http_run_oauth(pc_req *rq, pc_oauth_flow flow, int allow_get)
{
    pc_oauth_request orq = {.tenant = rq->tenant,
                            .ip = rq->ip,
                            .param = form_param,
                            .param_ctx = rq,
                            .bearer = pc_req_bearer(rq)};
    pc_oauth_reply reply = {0};
    char *user = NULL, *password = NULL, why[160], endpoint[64];
    const char *repeated = pc_req_repeated(rq);

    orq.endpoint = endpoint_of(rq, endpoint, sizeof endpoint);
    orq.method = pc_req_method(rq);
    orq.dpop = pc_req_header(rq, "DPoP");
    orq.dpop_token = pc_req_dpop_token(rq);

    if (!allow_get && !pc_req_content_type_is(rq, "application/x-www-form-urlencoded")) {
        pc_oauth_error(&reply, 400, "invalid_request",
                       "the body must be application/x-www-form-urlencoded");
        render(rq, &reply);
        return;
    }
    if (repeated != NULL) {
        snprintf(why, sizeof why, "parameter %.64s is sent more than once", repeated);
        pc_oauth_error(&reply, 400, "invalid_request", why);
        render(rq, &reply);
        return;
    }
    if (pc_req_basic(rq, &user, &password)) {
        orq.basic_user = user;
        orq.basic_password = password;
    }
    flow(&orq, &reply);
    render(rq, &reply);
    u_free(user);
    if (password != NULL) {
        memset(password, 0, strlen(password));
        u_free(password);
    }
}
