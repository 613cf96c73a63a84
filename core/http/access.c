/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libmicrohttpd access handler in front of the router. ulfius's own
 * handler feeds every form field through MHD's post processor into a u_map
 * (quadratic), and it reads a whole body before anyone may refuse it; here
 * the head is judged first (Content-Length, header count), the body is kept
 * up to the limit, and ulfius only lends its request and response structs.
 */
#include "http/access.h"
#include "http/conn_guard.h"
#include "http/form.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <ulfius.h>

/* More header fields (or cookies) than a browser sends: 431, before they are copied. */
#define MAX_HEADERS 100
#define MAX_COOKIES 200

typedef struct exchange {
    struct _u_request req;
    int head_seen;    /* the first call (the head) is done */
    int answered;     /* a reply is queued */
    int counted;      /* counted in in_flight */
    unsigned refusal; /* a status decided from the head (431), answered by the router */
} exchange;

static pc_http_dispatch_fn dispatch_fn;
static size_t body_limit;
static int draining;
static long in_flight;

void pc_http_access_setup(pc_http_dispatch_fn dispatch, size_t max_body)
{
    dispatch_fn = dispatch;
    body_limit = max_body;
}

void pc_http_access_drain(void)
{
    __atomic_store_n(&draining, 1, __ATOMIC_RELEASE);
}

long pc_http_access_in_flight(void)
{
    return __atomic_load_n(&in_flight, __ATOMIC_ACQUIRE);
}

void *pc_http_access_begin(void *cls, const char *uri, struct MHD_Connection *c)
{
    exchange *ex = pc_calloc(1, sizeof *ex);
    const char *q = strchr(uri, '?');

    (void)cls;
    (void)c;
    ulfius_init_request(&ex->req);
    ex->req.http_url = pc_strdup(uri);
    ex->req.url_path = q ? pc_strndup(uri, (size_t)(q - uri)) : pc_strdup(uri);
    return ex;
}

/* Copy a header or cookie; a repeated name keeps its values joined with ',' (as ulfius did). */
static enum MHD_Result put_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    struct _u_map *map = cls;
    const char *old = u_map_get(map, key);

    (void)kind;
    if (value == NULL)
        value = "";
    if (!pc_form_utf8_valid(key, strlen(key)) || !pc_form_utf8_valid(value, strlen(value)))
        return MHD_YES; /* skipped, as ulfius's check_utf8 did */
    if (old != NULL) {
        char *joined = pc_asprintf("%s,%s", old, value);
        u_map_put(map, key, joined);
        free(joined);
    } else {
        u_map_put(map, key, value);
    }
    return MHD_YES;
}

/* A response for `body` (copied); while draining it asks the client to close. */
static struct MHD_Response *new_response(const void *body, size_t len)
{
    struct MHD_Response *mr =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);

    if (mr != NULL && __atomic_load_n(&draining, __ATOMIC_ACQUIRE))
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    return mr;
}

static enum MHD_Result queue(struct MHD_Connection *c, exchange *ex, unsigned status,
                             struct MHD_Response *mr)
{
    enum MHD_Result rc;

    if (mr == NULL)
        return MHD_NO;
    rc = MHD_queue_response(c, status, mr);
    MHD_destroy_response(mr);
    ex->answered = 1;
    return rc;
}

static void copy_client_address(struct _u_request *req, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct sockaddr_storage *ss = pc_calloc(1, sizeof *ss);

    if (ci != NULL && ci->client_addr != NULL)
        memcpy(ss, ci->client_addr,
               ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : sizeof(struct sockaddr_in));
    req->client_address = (struct sockaddr *)ss;
}

static enum MHD_Result on_complete(struct MHD_Connection *c, exchange *ex);

/* What names a refused request: the proxy's request id and hops (docs/operations.md). */
static void copy_identity(struct MHD_Connection *c, struct _u_request *req)
{
    static const char *const names[] = {"X-Request-Id", "Forwarded", "X-Forwarded-For"};
    const char *v;

    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if ((v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, names[i])) != NULL)
            put_value(req->map_header, MHD_HEADER_KIND, names[i], v);
}

/* The head has arrived: refuse what is too large before a body byte is read. */
static enum MHD_Result on_head(struct MHD_Connection *c, exchange *ex, const char *method,
                               const char *version)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

    ex->head_seen = 1;
    ex->counted = 1;
    __atomic_add_fetch(&in_flight, 1, __ATOMIC_ACQ_REL);
    ex->req.http_verb = pc_strdup(method);
    ex->req.http_protocol = pc_strdup(version);
    copy_client_address(&ex->req, c);
    if (MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL) > MAX_HEADERS ||
        MHD_get_connection_values(c, MHD_COOKIE_KIND, NULL, NULL) > MAX_COOKIES) {
        /* Only what names the request is copied; the router answers 431 with its id and
         * leaves its access line. */
        copy_identity(c, &ex->req);
        ex->refusal = 431;
        return on_complete(c, ex);
    }
    MHD_get_connection_values(c, MHD_HEADER_KIND, put_value, ex->req.map_header);
    MHD_get_connection_values(c, MHD_COOKIE_KIND, put_value, ex->req.map_cookie);
    ex->req.auth_basic_user = MHD_basic_auth_get_username_password(c, &ex->req.auth_basic_password);
    /* A body announced over the limit is never read: the router answers 413 from the head
     * alone, so the answer still carries the request's id and leaves its access line. */
    if (cl != NULL && strtoull(cl, NULL, 10) > body_limit)
        return on_complete(c, ex);
    return MHD_YES;
}

/* Keep at most the limit plus one byte: the router answers 413 to a longer body. */
static void on_body(exchange *ex, const char *data, size_t n)
{
    size_t have = ex->req.binary_body_length, keep = n;

    if (have > body_limit)
        return;
    if (keep > body_limit + 1 - have)
        keep = body_limit + 1 - have;
    ex->req.binary_body = pc_realloc(ex->req.binary_body, have + keep + 1);
    memcpy((char *)ex->req.binary_body + have, data, keep);
    ex->req.binary_body_length = have + keep;
    ((char *)ex->req.binary_body)[have + keep] = '\0';
}

static void add_cookie(struct MHD_Response *mr, const struct _u_cookie *ck)
{
    static const char *const same_site[] = {"", "; SameSite=Strict", "; SameSite=Lax",
                                            "; SameSite=None"};
    char max_age[32] = "";
    char *line;

    if (ck->max_age > 0)
        snprintf(max_age, sizeof max_age, "; Max-Age=%u", ck->max_age);
    line = pc_asprintf("%s=%s%s%s%s%s%s%s%s%s%s", ck->key, ck->value ? ck->value : "",
                       ck->expires ? "; Expires=" : "", ck->expires ? ck->expires : "", max_age,
                       ck->domain ? "; Domain=" : "", ck->domain ? ck->domain : "",
                       ck->path ? "; Path=" : "", ck->path ? ck->path : "",
                       ck->secure ? "; Secure" : "", ck->http_only ? "; HttpOnly" : "");
    if (ck->same_site > 0 && ck->same_site < 4) {
        char *more = pc_asprintf("%s%s", line, same_site[ck->same_site]);
        free(line);
        line = more;
    }
    MHD_add_response_header(mr, MHD_HTTP_HEADER_SET_COOKIE, line);
    free(line);
}

/* The whole request is in: route it, then hand the ulfius response to MHD. */
static enum MHD_Result on_complete(struct MHD_Connection *c, exchange *ex)
{
    struct _u_response resp;
    struct MHD_Response *mr;
    const char **keys, **values;
    enum MHD_Result rc;

    pc_conn_guard_read(c);
    ulfius_init_response(&resp);
    dispatch_fn(&ex->req, ex->refusal, &resp);
    mr = new_response(resp.binary_body, resp.binary_body_length);
    if (mr != NULL) {
        keys = u_map_enum_keys(resp.map_header);
        values = u_map_enum_values(resp.map_header);
        for (size_t i = 0; keys != NULL && keys[i] != NULL; i++)
            MHD_add_response_header(mr, keys[i], values[i]);
        for (unsigned i = 0; i < resp.nb_cookies; i++)
            add_cookie(mr, &resp.map_cookie[i]);
    }
    rc = queue(c, ex, (unsigned)resp.status, mr);
    ulfius_clean_response(&resp);
    return rc;
}

enum MHD_Result pc_http_access_handle(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version, const char *upload,
                                      size_t *upload_size, void **con_cls)
{
    exchange *ex = *con_cls;

    (void)cls;
    (void)url;
    if (ex == NULL)
        return MHD_NO;
    if (!ex->head_seen)
        return on_head(c, ex, method, version);
    if (*upload_size != 0) {
        if (!ex->answered)
            on_body(ex, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return ex->answered ? MHD_YES : on_complete(c, ex);
}

void pc_http_access_end(void *cls, struct MHD_Connection *c, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    exchange *ex = *con_cls;

    (void)cls;
    (void)toe;
    pc_conn_guard_idle(c);
    if (ex == NULL)
        return;
    if (ex->counted)
        __atomic_sub_fetch(&in_flight, 1, __ATOMIC_ACQ_REL);
    ulfius_clean_request(&ex->req);
    free(ex);
    *con_cls = NULL;
}
