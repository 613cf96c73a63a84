/* SPDX-License-Identifier: Apache-2.0 */
/* One HTTP request as handlers see it: parameters in, a reply out. Wraps ulfius. */
#ifndef PC_HTTP_REQUEST_H
#define PC_HTTP_REQUEST_H

#include <jansson.h>
#include "iam/tenant.h"

struct _u_request;
struct _u_response;
typedef struct pc_req pc_req;
typedef void (*pc_handler)(pc_req *rq);

enum {
    PC_ROUTE_TENANT = 1 << 0, /**< under /t/{tenant}: the tenant is resolved first */
    PC_ROUTE_API = 1 << 1,    /**< management API: errors in the AUT-xxxx form */
    PC_ROUTE_CORS = 1 << 2,   /**< CORS for the origins of registered redirect URIs (http/cors.c) */
    PC_ROUTE_PAGE = 1 << 3    /**< a page for people: errors are shown as the error page */
};

typedef struct pc_route {
    const char *method;
    const char *path;
    const char *name; /**< metrics label */
    pc_handler handler;
    unsigned flags;
    int metric; /**< index from pc_metrics_route */
} pc_route;

/** Most ":name" parameters a route path may declare. */
#define PC_REQ_MAX_PATH_PARAMS 4

struct pc_form;

struct pc_req {
    const struct _u_request *u;
    struct _u_response *resp;
    const pc_route *route;
    pc_tenant *tenant; /**< for PC_ROUTE_TENANT routes */
    char ip[64];
    unsigned status;
    struct pc_form *query;                     /**< the query string (pc_req_parse) */
    struct pc_form *form;                      /**< a urlencoded body (pc_req_parse) */
    char *path_params[PC_REQ_MAX_PATH_PARAMS]; /**< decoded, in the order of the route path */
    char request_id[65]; /**< X-Request-Id (http/proxy.c): echoed, and on every log line */
};

/**
 * Does `path` (raw, without its query) match the route pattern `pattern`?
 * Segments are compared between slashes (empty ones ignored); ":name"
 * matches any one segment. 1 or 0.
 */
int pc_req_path_matches(const char *pattern, const char *path);
/**
 * Parse the path parameters, the query string and a urlencoded body of
 * rq->u for rq->route (linear time, at most PC_FORM_MAX_FIELDS fields each).
 * 0, or -1 with a static reason in *why (too many fields, a NUL byte, not
 * UTF-8): the caller answers 400. Free with pc_req_clear.
 */
int pc_req_parse(pc_req *rq, const char **why);
void pc_req_clear(pc_req *rq);

const char *pc_req_method(const pc_req *rq);
/** The request target as received: path and query ("/t/x/oauth2/authorize?..."). */
const char *pc_req_url(const pc_req *rq);
/** A path parameter (":id") of the route, else a query parameter; NULL if absent. */
const char *pc_req_param(const pc_req *rq, const char *name);
/** A form field of an application/x-www-form-urlencoded body. */
const char *pc_req_form(const pc_req *rq, const char *name);
/**
 * RFC 6749 §3.1: OAuth parameters must not be sent more than once. The first
 * name repeated in the query or the form body (borrowed), or NULL; `resource`
 * may repeat (RFC 8707 §2).
 */
const char *pc_req_repeated(const pc_req *rq);
const char *pc_req_header(const pc_req *rq, const char *name);
const char *pc_req_body(const pc_req *rq, size_t *len);
/** The bearer token of the Authorization header, or NULL. */
const char *pc_req_bearer(const pc_req *rq);
/** HTTP Basic credentials, form-urldecoded (RFC 6749 §2.3.1); new strings, or 0 if absent. */
int pc_req_basic(const pc_req *rq, char **user, char **password);
/** Is the body's content type `type` (ignoring parameters)? */
int pc_req_content_type_is(const pc_req *rq, const char *type);

/** Reply with a JSON body (stolen). */
void pc_reply_json(pc_req *rq, unsigned status, json_t *body);
/** Reply with a pre-rendered body of the given content type (copied). */
void pc_reply_raw(pc_req *rq, unsigned status, const char *content_type, const char *body);
void pc_reply_empty(pc_req *rq, unsigned status);
void pc_reply_header(pc_req *rq, const char *name, const char *value);
/** The value of a response header already set (any case), or NULL. */
const char *pc_reply_header_value(const pc_req *rq, const char *name);
/** 302/303 to `location`. */
void pc_reply_redirect(pc_req *rq, unsigned status, const char *location);
/** RFC 6749 §5.2 error body; `description` may be NULL. */
void pc_reply_oauth_error(pc_req *rq, unsigned status, const char *error, const char *description);
#endif
