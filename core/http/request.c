/* SPDX-License-Identifier: Apache-2.0 */
/* One HTTP request as handlers see it, over ulfius. */
#include "http/request.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ulfius.h>

const char *pc_req_method(const pc_req *rq)
{
    return rq->u->http_verb;
}

const char *pc_req_param(const pc_req *rq, const char *name)
{
    return u_map_get(rq->u->map_url, name);
}

const char *pc_req_form(const pc_req *rq, const char *name)
{
    if (!pc_req_content_type_is(rq, "application/x-www-form-urlencoded"))
        return NULL;
    return u_map_get(rq->u->map_post_body, name);
}

const char *pc_req_header(const pc_req *rq, const char *name)
{
    return u_map_get_case(rq->u->map_header, name);
}

const char *pc_req_body(const pc_req *rq, size_t *len)
{
    *len = rq->u->binary_body_length;
    return rq->u->binary_body;
}

const char *pc_req_bearer(const pc_req *rq)
{
    const char *h = pc_req_header(rq, "Authorization");

    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

int pc_req_basic(const pc_req *rq, char **user, char **password)
{
    if (rq->u->auth_basic_user == NULL)
        return 0;
    /* RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding. */
    *user = ulfius_url_decode(rq->u->auth_basic_user);
    *password = ulfius_url_decode(rq->u->auth_basic_password ? rq->u->auth_basic_password : "");
    if (*user == NULL || *password == NULL) {
        u_free(*user);
        u_free(*password);
        return 0;
    }
    return 1;
}

int pc_req_content_type_is(const pc_req *rq, const char *type)
{
    const char *ct = pc_req_header(rq, "Content-Type");
    size_t n = strlen(type);

    return ct != NULL && strncasecmp(ct, type, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

void pc_reply_raw(pc_req *rq, unsigned status, const char *content_type, const char *body)
{
    rq->status = status;
    ulfius_set_string_body_response(rq->resp, status, body);
    u_map_put(rq->resp->map_header, "Content-Type", content_type);
}

void pc_reply_json(pc_req *rq, unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);

    pc_reply_raw(rq, status, "application/json", text ? text : "{}");
    free(text);
    json_decref(body);
}

void pc_reply_empty(pc_req *rq, unsigned status)
{
    rq->status = status;
    rq->resp->status = status;
}

void pc_reply_header(pc_req *rq, const char *name, const char *value)
{
    u_map_put(rq->resp->map_header, name, value);
}

void pc_reply_redirect(pc_req *rq, unsigned status, const char *location)
{
    pc_reply_empty(rq, status);
    pc_reply_header(rq, "Location", location);
}

void pc_reply_oauth_error(pc_req *rq, unsigned status, const char *error, const char *description)
{
    json_t *body = json_pack("{s:s}", "error", error);

    if (description != NULL)
        json_object_set_new(body, "error_description", json_string(description));
    if (status == 401)
        pc_reply_header(rq, "WWW-Authenticate", "Basic realm=\"portcullis\"");
    pc_reply_header(rq, "Cache-Control", "no-store");
    pc_reply_json(rq, status, body);
}
