/* SPDX-License-Identifier: Apache-2.0 */
/* The SMTP provider: plain-text mail through libcurl, in the clear, with STARTTLS or over TLS, optional auth. */
#include "provider_util.h"
#include "smtp_message.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const pc_host *host;

static pc_status init(const pc_host *h, const json_t *config, void **state)
{
    (void)config;
    host = h;
    *state = NULL;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? PC_OK : PC_ERR_INTERNAL;
}

static const char *security_of(const json_t *config)
{
    return pv_str(config, "security", "starttls");
}

static pc_status check_config(void *state, const json_t *config, const char **problem)
{
    static const char *const known[] = {"host",       "port",    "security",  "username",
                                        "password",   "from",    "from_name", "timeout_ms",
                                        "tls_verify", "subject", "text",      NULL};
    const char *sec = security_of(config), *from = pv_str(config, "from", NULL);

    (void)state;
    if (!pv_known_keys(config, known, problem))
        return PC_ERR_INVALID;
    *problem = "host is required (a host name or address)";
    if (json_string_value(json_object_get(config, "host")) == NULL ||
        !pv_opt_string(config, "host") || strpbrk(pv_str(config, "host", ""), "/ @") != NULL)
        return PC_ERR_INVALID;
    *problem = "from must be an email address";
    if (from == NULL || strchr(from, '@') == NULL || !smtp_header_safe(from) ||
        strpbrk(from, "<> ") != NULL)
        return PC_ERR_INVALID;
    *problem = "security must be none, starttls or tls";
    if (!json_is_string(json_object_get(config, "security")) && json_object_get(config, "security"))
        return PC_ERR_INVALID;
    if (strcmp(sec, "none") && strcmp(sec, "starttls") && strcmp(sec, "tls"))
        return PC_ERR_INVALID;
    *problem = "port must be 1..65535, timeout_ms 100..120000";
    if (!pv_opt_int(config, "port", 1, 65535) || !pv_opt_int(config, "timeout_ms", 100, 120000))
        return PC_ERR_INVALID;
    *problem =
        "username, password, from_name, subject and text must be strings; tls_verify a boolean";
    if (!pv_opt_string(config, "username") || !pv_opt_string(config, "password") ||
        !pv_opt_string(config, "from_name") || !pv_opt_string(config, "subject") ||
        !pv_opt_string(config, "text") ||
        (json_object_get(config, "tls_verify") &&
         !json_is_boolean(json_object_get(config, "tls_verify"))))
        return PC_ERR_INVALID;
    *problem = "username and password go together";
    if ((json_object_get(config, "username") == NULL) !=
        (json_object_get(config, "password") == NULL))
        return PC_ERR_INVALID;
    *problem = NULL;
    return PC_OK;
}

/* smtp://host:port for none and STARTTLS, smtps:// for implicit TLS (RFC 8314). */
static char *server_url(const json_t *config)
{
    const char *sec = security_of(config);
    int tls = strcmp(sec, "tls") == 0;
    json_int_t port = pv_int(config, "port", tls ? 465 : strcmp(sec, "starttls") == 0 ? 587 : 25);
    char *url = NULL;

    if (asprintf(&url, "%s://%s:%lld", tls ? "smtps" : "smtp", pv_str(config, "host", ""),
                 (long long)port) < 0)
        return NULL;
    return url;
}

typedef struct upload {
    const char *data;
    size_t len, off;
} upload;

static size_t read_message(char *buf, size_t size, size_t nmemb, void *userdata)
{
    upload *u = userdata;
    size_t n = size * nmemb;

    if (n > u->len - u->off)
        n = u->len - u->off;
    memcpy(buf, u->data + u->off, n);
    u->off += n;
    return n;
}

static void set_transport(CURL *c, const json_t *config)
{
    const char *sec = security_of(config);
    json_int_t timeout = pv_int(config, "timeout_ms", 10000);

    if (strcmp(sec, "starttls") == 0)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (json_is_false(json_object_get(config, "tls_verify"))) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (json_object_get(config, "username") != NULL) {
        curl_easy_setopt(c, CURLOPT_USERNAME, pv_str(config, "username", ""));
        curl_easy_setopt(c, CURLOPT_PASSWORD, pv_str(config, "password", ""));
    }
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
}

/* One SMTP transaction: MAIL FROM, RCPT TO, DATA. */
static pc_status transmit(const json_t *config, const char *to, const char *message)
{
    CURL *c = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    char *url = server_url(config), from[600], rcpt_to[600];
    upload u = {message, strlen(message), 0};
    CURLcode cc = CURLE_FAILED_INIT;
    long reply = 0;

    snprintf(from, sizeof from, "<%s>", pv_str(config, "from", ""));
    snprintf(rcpt_to, sizeof rcpt_to, "<%s>", to);
    rcpt = curl_slist_append(NULL, rcpt_to);
    if (c != NULL && url != NULL && rcpt != NULL) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
        curl_easy_setopt(c, CURLOPT_READDATA, &u);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        set_transport(c, config);
        cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    }
    /* The server, the curl error and the SMTP reply code: never the recipient's message. */
    if (cc != CURLE_OK)
        host->log(PC_LOG_ERROR, "smtp", "sending failed: server=%s error=\"%s\" smtp_reply=%ld",
                  url ? url : "?", curl_easy_strerror(cc), reply);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    free(url);
    return cc == CURLE_OK ? PC_OK : PC_ERR_UNAVAILABLE;
}

/* The provider's own templates (config "subject", "text") win over the scheme's wording. */
static void render_parts(const json_t *config, const pc_message *msg, char **subject, char **text)
{
    json_t *vars = msg->vars ? json_deep_copy(msg->vars) : json_object();

    json_object_set_new(vars, "subject", json_string(msg->subject ? msg->subject : ""));
    json_object_set_new(vars, "text", json_string(msg->text));
    *subject = pv_render(pv_str(config, "subject", msg->subject ? msg->subject : ""), vars, 0);
    *text = pv_render(pv_str(config, "text", msg->text), vars, 0);
    json_decref(vars);
}

static pc_status send_message(void *state, const json_t *config, const pc_message *msg)
{
    char *subject = NULL, *text = NULL, *message = NULL;
    pc_status rc = PC_ERR_INVALID;

    (void)state;
    if (msg->to == NULL || msg->text == NULL || !smtp_header_safe(msg->to) ||
        strpbrk(msg->to, "<> ,"))
        return PC_ERR_INVALID;
    render_parts(config, msg, &subject, &text);
    if (subject != NULL && text != NULL)
        message = smtp_message_new(pv_str(config, "from", ""), pv_str(config, "from_name", NULL),
                                   msg->to, subject, text, host->now());
    if (message != NULL)
        rc = transmit(config, msg->to, message);
    if (text != NULL)
        memset(text, 0, strlen(text));
    if (message != NULL)
        memset(message, 0, strlen(message));
    free(subject);
    free(text);
    free(message);
    return rc;
}

static const char *const secrets[] = {"password", NULL};

static const pc_provider_ops ops = {
    .base = PC_PLUGIN_BASE(
        pc_provider_ops, PC_KIND_PROVIDER, "smtp", "1.0.0",
        "Email over SMTP (libcurl): plain, STARTTLS or TLS, optional authentication", init, NULL),
    .channel = "email",
    .check_config = check_config,
    .secret_fields = secrets,
    .send = send_message,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
