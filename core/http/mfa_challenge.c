/* SPDX-License-Identifier: Apache-2.0 */
/* POST /api/v1/mfa/challenge over HTTP: a JSON (or form) body, client authentication as at the token endpoint. */
#include "http/endpoints.h"
#include "oauth2/mfa_challenge.h"

#include <stdio.h>
#include <string.h>
#include <ulfius.h>

typedef struct body_params {
    pc_req *rq;
    json_t *json; /* the JSON body, or NULL for a form */
} body_params;

static const char *param(void *ctx, const char *name)
{
    body_params *b = ctx;

    return b->json ? json_string_value(json_object_get(b->json, name)) : pc_req_form(b->rq, name);
}

static void render(pc_req *rq, pc_oauth_reply *reply)
{
    char retry[24];

    pc_reply_header(rq, "Cache-Control", "no-store");
    if (reply->retry_after > 0) {
        snprintf(retry, sizeof retry, "%lld", (long long)reply->retry_after);
        pc_reply_header(rq, "Retry-After", retry);
    }
    if (reply->status == 401)
        pc_reply_header(rq, "WWW-Authenticate", "Basic realm=\"portcullis\"");
    if (reply->status == 204)
        pc_reply_empty(rq, 204);
    else
        pc_reply_json(rq, reply->status ? reply->status : 500,
                      reply->body ? reply->body : json_object());
    reply->body = NULL;
}

void pc_http_mfa_challenge(pc_req *rq)
{
    body_params b = {.rq = rq, .json = NULL};
    pc_oauth_request orq = {.tenant = rq->tenant, .ip = rq->ip, .param = param, .param_ctx = &b};
    pc_oauth_reply reply = {0};
    char *user = NULL, *password = NULL;
    size_t len;
    const char *text = pc_req_body(rq, &len);

    if (pc_req_content_type_is(rq, "application/json")) {
        b.json = text && len ? json_loadb(text, len, 0, NULL) : NULL;
        if (!json_is_object(b.json)) {
            json_decref(b.json);
            pc_reply_oauth_error(rq, 400, "invalid_request", "the body must be a JSON object");
            return;
        }
    }
    if (pc_req_basic(rq, &user, &password)) {
        orq.basic_user = user;
        orq.basic_password = password;
    }
    pc_oauth2_mfa_challenge(&orq, &reply);
    render(rq, &reply);
    json_decref(b.json);
    u_free(user);
    if (password != NULL) {
        memset(password, 0, strlen(password));
        u_free(password);
    }
}
