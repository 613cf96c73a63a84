/* SPDX-License-Identifier: Apache-2.0 */
/* The webapp's page shells rendered with values filled in safely, and the cookies the pages use. */
#include "http/pages.h"
#include "server/paths.h"
#include "server/server.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ulfius.h>

#define MAX_TEMPLATE (256 * 1024)

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = pc_realloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void put_escaped(buf *b, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '&': put(b, "&amp;", 5); break;
        case '<': put(b, "&lt;", 4); break;
        case '>': put(b, "&gt;", 4); break;
        case '"': put(b, "&quot;", 6); break;
        case '\'': put(b, "&#39;", 5); break;
        default: put(b, s, 1);
        }
    }
}

char *pc_html_escape(const char *s)
{
    buf b = {0};

    put(&b, "", 0);
    put_escaped(&b, s);
    return b.s;
}

static const char *var(const json_t *vars, const char *name, size_t n)
{
    char key[64];

    if (n >= sizeof key)
        return NULL;
    memcpy(key, name, n);
    key[n] = '\0';
    return json_string_value(json_object_get(vars, key));
}

static void put_raw(buf *b, const char *s)
{
    if (s != NULL)
        put(b, s, strlen(s));
}

static void render(buf *b, const char *tpl, size_t len, const json_t *vars);

/* A section {{#key}}...{{/key}} or {{^key}}...{{/key}}: p points past its opening tag. */
static const char *section(buf *b, const char *p, const char *end, const char *key, size_t n,
                           int inverted, const json_t *vars)
{
    char close[72];
    const char *v = var(vars, key, n), *stop;
    int shown = (v != NULL && *v != '\0') != inverted;

    snprintf(close, sizeof close, "{{/%.*s}}", (int)n, key);
    stop = memmem(p, (size_t)(end - p), close, strlen(close));
    if (stop == NULL)
        return end;
    if (shown)
        render(b, p, (size_t)(stop - p), vars);
    return stop + strlen(close);
}

static void render(buf *b, const char *tpl, size_t len, const json_t *vars)
{
    const char *p = tpl, *end = tpl + len;

    while (p < end) {
        const char *open = memmem(p, (size_t)(end - p), "{{", 2), *close, *key;
        if (open == NULL || (close = memmem(open, (size_t)(end - open), "}}", 2)) == NULL) {
            put(b, p, (size_t)(end - p));
            return;
        }
        put(b, p, (size_t)(open - p));
        key = open + 2;
        p = close + 2;
        if (*key == '#' || *key == '^')
            p = section(b, p, end, key + 1, (size_t)(close - key - 1), *key == '^', vars);
        else if (*key == '&')
            put_raw(b, var(vars, key + 1, (size_t)(close - key - 1)));
        else
            put_escaped(b, var(vars, key, (size_t)(close - key)));
    }
}

char *pc_page_render(const char *tpl, const json_t *vars)
{
    buf b = {0};

    put(&b, "", 0);
    render(&b, tpl, strlen(tpl), vars);
    return b.s;
}

static char *default_webapp;
static pthread_once_t default_webapp_once = PTHREAD_ONCE_INIT;

static void find_default_webapp(void)
{
    default_webapp = pc_path_default_webapp();
}

const char *pc_webapp_dir(void)
{
    if (pc_srv->cfg.webapp_dir != NULL)
        return pc_srv->cfg.webapp_dir;
    pthread_once(&default_webapp_once, find_default_webapp);
    return default_webapp;
}

/* Templates are read once and kept: name -> text. */
static json_t *templates;
static pthread_mutex_t templates_lock = PTHREAD_MUTEX_INITIALIZER;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    size_t n;

    if (f == NULL)
        return NULL;
    text = pc_malloc(MAX_TEMPLATE + 1);
    n = fread(text, 1, MAX_TEMPLATE, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* The template text (a new copy), or NULL if the file is missing. */
static char *template_of(const char *name)
{
    char *text = NULL, *path;
    json_t *t;

    pthread_mutex_lock(&templates_lock);
    if (templates == NULL)
        templates = json_object();
    t = json_object_get(templates, name);
    if (t == NULL) {
        path = pc_asprintf("%s/%s.html", pc_webapp_dir(), name);
        text = read_file(path);
        if (text == NULL)
            pc_error("page template %s is missing", path);
        else
            json_object_set_new(templates, name, json_string(text));
        free(path);
        free(text);
        t = json_object_get(templates, name);
    }
    text = pc_strdup(json_string_value(t));
    pthread_mutex_unlock(&templates_lock);
    return text;
}

static void headers_with(pc_req *rq, const char *csp)
{
    pc_reply_header(rq, "Cache-Control", "no-store");
    pc_reply_header(rq, "Pragma", "no-cache");
    pc_reply_header(rq, "X-Frame-Options", "DENY");
    pc_reply_header(rq, "X-Content-Type-Options", "nosniff");
    pc_reply_header(rq, "Referrer-Policy", "no-referrer");
    pc_reply_header(rq, "Content-Security-Policy", csp);
}

static void security_headers(pc_req *rq)
{
    headers_with(rq, PC_CSP_PAGES);
}

void pc_console_headers(pc_req *rq)
{
    headers_with(rq, PC_CSP_CONSOLE);
}

static const char fallback[] =
    "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Error</title>"
    "<main><h1>Something went wrong</h1><p>{{message}}</p></main></html>";

static void page_reply(pc_req *rq, unsigned status, const char *name, const json_t *vars,
                       void (*headers)(pc_req *))
{
    json_t *all = json_deep_copy(vars ? vars : json_null());
    char *tpl = template_of(name), *html,
         *assets = pc_asprintf("%s/ui/assets", pc_srv->cfg.public_url);

    if (!json_is_object(all)) {
        json_decref(all);
        all = json_object();
    }
    json_object_set_new(all, "asset_base", json_string(assets));
    if (rq->tenant != NULL) {
        json_object_set_new(all, "tenant_name",
                            json_string(rq->tenant->name ? rq->tenant->name : rq->tenant->slug));
        json_object_set_new(all, "issuer", json_string(rq->tenant->issuer));
    }
    html = pc_page_render(tpl ? tpl : fallback, all);
    headers(rq);
    pc_reply_raw(rq, status, "text/html; charset=utf-8", html);
    free(html);
    free(tpl);
    free(assets);
    json_decref(all);
}

void pc_page_reply(pc_req *rq, unsigned status, const char *name, const json_t *vars)
{
    page_reply(rq, status, name, vars, security_headers);
}

void pc_console_reply(pc_req *rq, const char *name)
{
    page_reply(rq, 200, name, NULL, pc_console_headers);
}

void pc_page_error(pc_req *rq, unsigned status, const char *error, const char *message)
{
    json_t *vars = json_pack("{s:s,s:s?}", "message", message, "error", error);

    pc_page_reply(rq, status, "error", vars);
    json_decref(vars);
}

const char *pc_req_cookie(const pc_req *rq, const char *name)
{
    return u_map_get(rq->u->map_cookie, name);
}

void pc_reply_cookie(pc_req *rq, const char *name, const char *value, int64_t max_age)
{
    const char *issuer = rq->tenant->issuer, *path = strstr(issuer, "://");
    int secure = strncasecmp(pc_srv->cfg.public_url, "https://", 8) == 0;
    char *cookie_path;

    path = path ? strchr(path + 3, '/') : NULL;
    cookie_path = pc_asprintf("%s/", path ? path : "");
    /* DESIGN.md: HttpOnly, SameSite=Lax, Secure when PUBLIC_URL is https. */
    ulfius_add_same_site_cookie_to_response(
        rq->resp, name, value ? value : "", value ? NULL : "Thu, 01 Jan 1970 00:00:00 GMT",
        value ? (unsigned)max_age : 0, NULL, cookie_path, secure, 1, U_COOKIE_SAME_SITE_LAX);
    free(cookie_path);
}
