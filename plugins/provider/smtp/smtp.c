/* SPDX-License-Identifier: Apache-2.0 */
/* The SMTP provider: plain-text mail through libcurl, in the clear, with STARTTLS or over TLS, optional auth. */
/* Each connection is checked by the host's outbound rule (public addresses, mail ports) where it opens. */
#include "provider_util.h"
#include "smtp_message.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const pc_host *host;

/* The ports mail submission and relay use (RFC 5321, RFC 8314, RFC 6409, and the common 2525). */
static const long mail_ports[] = {25, 465, 587, 2525};
/* Connecting no longer than this, the whole transaction no longer than MAX_TIMEOUT_MS. */
#define CONNECT_TIMEOUT_MS 5000L
#define MAX_TIMEOUT_MS 10000L

static pc_status init(const pc_host *h, const json_t *config, void **state)
{
    (void)config;
    host = h;
    *state = NULL;
    if (!pv_host_has_outbound(h)) {
        h->log(PC_LOG_ERROR, "smtp", "this server has no outbound address check: upgrade it");
        return PC_ERR_INTERNAL;
    }
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? PC_OK : PC_ERR_INTERNAL;
}

static const char *security_of(const json_t *config)
{
    return pv_str(config, "security", "starttls");
}

static long port_of(const json_t *config)
{
    const char *sec = security_of(config);
    int tls = strcmp(sec, "tls") == 0;

    return (long)pv_int(config, "port", tls ? 465 : strcmp(sec, "starttls") == 0 ? 587 : 25);
}

/* A mail port, or any port while the server allows private calls (a test's sink listens anywhere). */
static int port_allowed(long port)
{
    if (host->outbound_allow_private())
        return 1;
    for (size_t i = 0; i < sizeof mail_ports / sizeof *mail_ports; i++)
        if (mail_ports[i] == port)
            return 1;
    return 0;
}

/* Host names and addresses only: nothing that would change the smtp:// URL built from it. */
static int host_ok(const char *h)
{
    return h != NULL && *h != '\0' && strlen(h) < 254 && pv_single_line(h) &&
           strpbrk(h, "/ @?#[]\\%") == NULL;
}

/* Everything that goes into an SMTP command or a message header is a single line. */
static int single_lines(const json_t *config)
{
    static const char *const keys[] = {"from", "from_name", "subject", "username", NULL};

    for (size_t i = 0; keys[i] != NULL; i++)
        if (!pv_single_line(pv_str(config, keys[i], "")))
            return 0;
    return 1;
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
    if (!pv_opt_string(config, "host") ||
        !host_ok(json_string_value(json_object_get(config, "host"))))
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
    *problem = "from, from_name, subject and username must be single lines (no CR or LF)";
    if (!single_lines(config))
        return PC_ERR_INVALID;
    *problem = "port must be 25, 465, 587 or 2525 (any port only with the server setting "
               "outbound_allow_private)";
    if (!port_allowed(port_of(config)))
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
    int tls = strcmp(security_of(config), "tls") == 0;
    char *url = NULL;

    if (!host_ok(pv_str(config, "host", NULL)) ||
        asprintf(&url, "%s://%s:%ld", tls ? "smtps" : "smtp", pv_str(config, "host", ""),
                 port_of(config)) < 0)
        return NULL;
    return url;
}

static long sockaddr_port(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->sa_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return -1;
}

/* Every socket libcurl opens: the resolved address and its port are checked where they are used. */
static curl_socket_t open_checked(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)clientp;
    if (purpose != CURLSOCKTYPE_IPCXN ||
        host->outbound_check(&a->addr, (size_t)a->addrlen) != PC_OK)
        return CURL_SOCKET_BAD;
    if (!port_allowed(sockaddr_port(&a->addr))) {
        host->log(PC_LOG_WARNING, "smtp",
                  "outbound connection refused: port %ld is not a mail port",
                  sockaddr_port(&a->addr));
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
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
    long timeout = (long)pv_int(config, "timeout_ms", MAX_TIMEOUT_MS);

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
    if (timeout > MAX_TIMEOUT_MS)
        timeout = MAX_TIMEOUT_MS;
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* No proxy from the environment: the address checked must be the one connected to. */
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
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

    /* The envelope: single lines only, checked again here whatever the stored config says. */
    snprintf(from, sizeof from, "<%s>", pv_str(config, "from", ""));
    snprintf(rcpt_to, sizeof rcpt_to, "<%s>", to);
    if (pv_single_line(from) && pv_single_line(rcpt_to) && single_lines(config))
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
