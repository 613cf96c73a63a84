/* SPDX-License-Identifier: Apache-2.0 */
/* One HTTP request as handlers see it, over ulfius. */
#include "http/request.h"
#include "http/form.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ulfius.h>

const char *pc_req_method(const pc_req *rq)
{
    return rq->u->http_verb;
}

/* The next segment of a path at *p (skipping slashes): its start and length, or NULL at the end. */
static const char *segment(const char **p, size_t *len)
{
    const char *s = *p;

    while (*s == '/')
        s++;
    if (*s == '\0')
        return NULL;
    *len = strcspn(s, "/");
    *p = s + *len;
    return s;
}

int pc_req_path_matches(const char *pattern, const char *path)
{
    const char *ps, *us;
    size_t pn, un;

    for (;;) {
        ps = segment(&pattern, &pn);
        us = segment(&path, &un);
        if (ps == NULL || us == NULL)
            return ps == NULL && us == NULL;
        if (ps[0] != ':' && (pn != un || memcmp(ps, us, pn) != 0))
            return 0;
    }
}

/* Decode the segments that ":name" parts of the route's path matched. */
static int parse_path(pc_req *rq)
{
    const char *pattern = rq->route->path, *path = rq->u->url_path, *ps, *us;
    size_t pn, un, k = 0;

    while ((ps = segment(&pattern, &pn)) != NULL && (us = segment(&path, &un)) != NULL) {
        if (ps[0] != ':' || k == PC_REQ_MAX_PATH_PARAMS)
            continue;
        rq->path_params[k] = pc_form_unescape(us, un, 0);
        if (rq->path_params[k] == NULL ||
            !pc_form_utf8_valid(rq->path_params[k], strlen(rq->path_params[k])))
            return -1;
        k++;
    }
    return 0;
}

/* The index of ":name" among the route path's parameters, or -1. */
static int path_param_index(const char *pattern, const char *name)
{
    const char *ps;
    size_t pn, n = strlen(name);
    int k = 0;

    while ((ps = segment(&pattern, &pn)) != NULL) {
        if (ps[0] != ':')
            continue;
        if (pn - 1 == n && memcmp(ps + 1, name, n) == 0)
            return k < PC_REQ_MAX_PATH_PARAMS ? k : -1;
        k++;
    }
    return -1;
}

/* Basic credentials are form-urlencoded (RFC 6749 §2.3.1): a %00 would cut them short. */
static int basic_has_nul(const struct _u_request *u)
{
    return (u->auth_basic_user && strstr(u->auth_basic_user, "%00")) ||
           (u->auth_basic_password && strstr(u->auth_basic_password, "%00"));
}

int pc_req_parse(pc_req *rq, const char **why)
{
    const char *url = rq->u->http_url ? rq->u->http_url : "", *q = strchr(url, '?');

    *why = "a path segment holds a NUL byte or is not UTF-8";
    if (parse_path(rq) != 0)
        return -1;
    *why = "the Basic credentials hold a NUL byte";
    if (basic_has_nul(rq->u))
        return -1;
    if (q != NULL &&
        pc_form_parse(q + 1, strcspn(q + 1, "#"), PC_FORM_MAX_FIELDS, &rq->query, why) != PC_OK)
        return -1;
    if (pc_req_content_type_is(rq, "application/x-www-form-urlencoded") &&
        pc_form_parse(rq->u->binary_body, rq->u->binary_body_length, PC_FORM_MAX_FIELDS, &rq->form,
                      why) != PC_OK)
        return -1;
    *why = NULL;
    return 0;
}

void pc_req_clear(pc_req *rq)
{
    pc_form_free(rq->query);
    pc_form_free(rq->form);
    rq->query = rq->form = NULL;
    for (size_t i = 0; i < PC_REQ_MAX_PATH_PARAMS; i++) {
        free(rq->path_params[i]);
        rq->path_params[i] = NULL;
    }
}

const char *pc_req_param(const pc_req *rq, const char *name)
{
    int k = path_param_index(rq->route->path, name);

    return k >= 0 ? rq->path_params[k] : pc_form_get(rq->query, name);
}

const char *pc_req_form(const pc_req *rq, const char *name)
{
    return pc_form_get(rq->form, name);
}

const char *pc_req_repeated(const pc_req *rq)
{
    static const char *const may_repeat[] = {"resource", NULL};
    const char *name = pc_form_repeated(rq->query, may_repeat);

    return name ? name : pc_form_repeated(rq->form, may_repeat);
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

const char *pc_reply_header_value(const pc_req *rq, const char *name)
{
    return u_map_get_case(rq->resp->map_header, name);
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

const char *pc_req_url(const pc_req *rq)
{
    return rq->u->http_url ? rq->u->http_url : "";
}
