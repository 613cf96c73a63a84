/* SPDX-License-Identifier: Apache-2.0 */
/* The http-sms provider: an SMS gateway over HTTPS, as a generic JSON POST or a Twilio-style form POST. */
/* Its calls go through host->http(), which connects only where the server's outbound rule allows. */
#include "provider_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BODY "{\"to\":\"{{to}}\",\"text\":\"{{text}}\"}"
#define TWILIO_URL "https://api.twilio.com/2010-04-01/Accounts/%s/Messages.json"
#define MAX_HEADERS 16

static const pc_host *host;

static pc_status init(const pc_host *h, const json_t *config, void **state)
{
    (void)config;
    host = h;
    *state = NULL;
    if (!pv_host_has_outbound(h)) {
        h->log(PC_LOG_ERROR, "http-sms", "this server has no outbound address check: upgrade it");
        return PC_ERR_INTERNAL;
    }
    return PC_OK;
}

static int is_twilio(const json_t *config)
{
    return strcmp(pv_str(config, "mode", "json"), "twilio") == 0;
}

/*
 * HTTPS, or plain HTTP to a numeric loopback address (a local relay), or to
 * any host with allow_insecure while the server allows private calls (API.md §20).
 */
static const char *url_problem(const char *url, const json_t *config)
{
    unsigned flags = PC_OUTBOUND_HTTP_LOOPBACK;

    if (url == NULL)
        return NULL;
    if (json_is_true(json_object_get(config, "allow_insecure")))
        flags |= PC_OUTBOUND_HTTP_ANY;
    return host->outbound_url_problem(url, flags);
}

/* A header name is an RFC 9110 §5.6.2 token. */
static int header_name_ok(const char *k)
{
    if (*k == '\0' || strlen(k) > 64)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *k) != NULL))
            return 0;
    return 1;
}

static const char *headers_problem(const json_t *headers)
{
    const char *k;
    json_t *v;

    if (headers == NULL)
        return NULL;
    if (!json_is_object(headers) || json_object_size(headers) > MAX_HEADERS)
        return "headers must be an object of at most 16 string values";
    json_object_foreach ((json_t *)headers, k, v)
        if (!json_is_string(v) || !header_name_ok(k) || !pv_single_line(json_string_value(v)))
            return "headers must map header names to single-line strings (no CR or LF)";
    return NULL;
}

/* Values that end up in a header line or in the Twilio URL. */
static const char *single_line_problem(const json_t *config)
{
    const char *sid = pv_str(config, "account_sid", "");

    if (!pv_single_line(pv_str(config, "authorization", "")))
        return "authorization must be a single line (no CR or LF)";
    for (const char *c = sid; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            return "account_sid must be letters and digits";
    return NULL;
}

static const char *mode_problem(const json_t *config)
{
    const char *mode = pv_str(config, "mode", "json");

    if (!pv_opt_string(config, "mode") || (strcmp(mode, "json") && strcmp(mode, "twilio")))
        return "mode must be json or twilio";
    if (!is_twilio(config))
        return json_object_get(config, "url") ? NULL : "url is required";
    if (!pv_opt_string(config, "account_sid") || !json_object_get(config, "account_sid") ||
        !json_object_get(config, "auth_token") || !json_object_get(config, "from"))
        return "twilio mode needs account_sid, auth_token and from";
    return NULL;
}

static pc_status check_config(void *state, const json_t *config, const char **problem)
{
    static const char *const known[] = {
        "mode",       "url",  "headers",    "authorization",  "body", "account_sid",
        "auth_token", "from", "timeout_ms", "allow_insecure", NULL};

    (void)state;
    if (!pv_known_keys(config, known, problem))
        return PC_ERR_INVALID;
    *problem = "url, authorization, body, account_sid, auth_token and from must be strings; "
               "timeout_ms 100..60000; allow_insecure a boolean";
    if (!pv_opt_string(config, "url") || !pv_opt_string(config, "authorization") ||
        !pv_opt_string(config, "body") || !pv_opt_string(config, "auth_token") ||
        !pv_opt_string(config, "from") || !pv_opt_int(config, "timeout_ms", 100, 60000) ||
        (json_object_get(config, "allow_insecure") &&
         !json_is_boolean(json_object_get(config, "allow_insecure"))))
        return PC_ERR_INVALID;
    if ((*problem = mode_problem(config)) != NULL ||
        (*problem = url_problem(pv_str(config, "url", NULL), config)) != NULL ||
        (*problem = headers_problem(json_object_get(config, "headers"))) != NULL ||
        (*problem = single_line_problem(config)) != NULL)
        return PC_ERR_INVALID;
    return PC_OK;
}

/* application/x-www-form-urlencoded value (new). */
static char *form_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *w = out;

    for (const unsigned char *c = (const unsigned char *)s; out != NULL && *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c) != NULL) {
            *w++ = (char)*c;
        } else if (*c == ' ') {
            *w++ = '+';
        } else {
            *w++ = '%';
            *w++ = hex[*c >> 4];
            *w++ = hex[*c & 15];
        }
    }
    if (out != NULL)
        *w = '\0';
    return out;
}

/* The request body: the JSON template, or Twilio's To/From/Body form (new). */
static char *request_body(const json_t *config, const pc_message *msg)
{
    json_t *vars;
    char *body, *to, *from, *text;

    if (!is_twilio(config)) {
        vars = json_pack("{s:s,s:s}", "to", msg->to, "text", msg->text);
        body = vars ? pv_render(pv_str(config, "body", DEFAULT_BODY), vars, 1) : NULL;
        json_decref(vars);
        return body;
    }
    to = form_escape(msg->to);
    from = form_escape(pv_str(config, "from", ""));
    text = form_escape(msg->text);
    if (to == NULL || from == NULL || text == NULL ||
        asprintf(&body, "To=%s&From=%s&Body=%s", to, from, text) < 0)
        body = NULL;
    free(to);
    free(from);
    free(text);
    return body;
}

static char *request_url(const json_t *config)
{
    char *url = NULL;

    if (json_object_get(config, "url") != NULL)
        return strdup(pv_str(config, "url", ""));
    if (asprintf(&url, TWILIO_URL, pv_str(config, "account_sid", "")) < 0)
        return NULL;
    return url;
}

/* "Name: value" lines, NULL-terminated, in lines[] (the strings are new). */
static void header_lines(const json_t *config, char **lines)
{
    const char *k;
    json_t *v;
    int n = 0;

    lines[n++] = strdup(is_twilio(config) ? "Content-Type: application/x-www-form-urlencoded"
                                          : "Content-Type: application/json");
    lines[n++] = strdup("Accept: application/json");
    if (json_object_get(config, "authorization") != NULL &&
        asprintf(&lines[n], "Authorization: %s", pv_str(config, "authorization", "")) >= 0)
        n++;
    json_object_foreach ((json_t *)json_object_get(config, "headers"), k, v)
        if (n < MAX_HEADERS + 3 && asprintf(&lines[n], "%s: %s", k, json_string_value(v)) >= 0)
            n++;
    lines[n] = NULL;
}

/* A non-2xx answer: log the status and the gateway's words, never the message or its code. */
static void log_refusal(const char *url, const pc_http_response *resp, const pc_message *msg)
{
    json_t *j = resp->body ? json_loadb(resp->body, resp->body_len, 0, NULL) : NULL;
    const char *words = json_string_value(json_object_get(j, "message"));
    char *safe;

    if (words == NULL)
        words = json_string_value(json_object_get(j, "error"));
    safe = pv_log_safe(words ? words : resp->body, msg);
    host->log(PC_LOG_ERROR, "http-sms",
              "gateway refused the message: url=%s status=%ld message=\"%s\"", url, resp->status,
              safe ? safe : "");
    free(safe);
    json_decref(j);
}

static pc_status send_message(void *state, const json_t *config, const pc_message *msg)
{
    char *lines[MAX_HEADERS + 4], *url = request_url(config), *body = request_body(config, msg);
    pc_http_request rq = {.method = "POST",
                          .url = url,
                          .headers = (const char *const *)lines,
                          .body = body,
                          .body_len = body ? strlen(body) : 0,
                          .timeout_ms = (long)pv_int(config, "timeout_ms", 10000)};
    pc_http_response resp = {0};
    pc_status rc = PC_ERR_INTERNAL;

    (void)state;
    header_lines(config, lines);
    if (is_twilio(config)) {
        rq.basic_user = pv_str(config, "account_sid", "");
        rq.basic_password = pv_str(config, "auth_token", "");
    }
    if (url != NULL && body != NULL && url_problem(url, config) == NULL) {
        rc = host->http(&rq, &resp);
        if (rc != PC_OK)
            host->log(PC_LOG_ERROR, "http-sms", "gateway unreachable: url=%s", url);
        else if (resp.status < 200 || resp.status > 299)
            log_refusal(url, &resp, msg);
        if (rc == PC_OK && (resp.status < 200 || resp.status > 299))
            rc = PC_ERR_UNAVAILABLE;
    }
    for (int i = 0; lines[i] != NULL; i++)
        free(lines[i]);
    if (body != NULL)
        memset(body, 0, strlen(body));
    free(body);
    free(url);
    host->free(resp.body);
    return rc;
}

static const char *const secrets[] = {"authorization", "auth_token", NULL};

static const pc_provider_ops ops = {
    .base = PC_PLUGIN_BASE(
        pc_provider_ops, PC_KIND_PROVIDER, "http-sms", "1.0.0",
        "SMS through an HTTPS gateway: generic JSON POST or Twilio-compatible form", init, NULL),
    .channel = "sms",
    .check_config = check_config,
    .secret_fields = secrets,
    .send = send_message,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
