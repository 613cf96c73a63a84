/* SPDX-License-Identifier: Apache-2.0 */
/* Outbound HTTP for provider plugins, over libcurl: public addresses only (server/outbound.c), short timeouts. */
#include "server/host.h"
#include "server/outbound.h"
#include "util/log.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* A delivery worker must come back soon whatever the remote side does. */
#define MAX_TIMEOUT_MS 10000L
#define CONNECT_TIMEOUT_MS 5000L
#define MAX_RESPONSE (1024 * 1024)

typedef struct buffer {
    char *data;
    size_t len;
} buffer;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    buffer *b = userdata;
    size_t n = size * nmemb;

    if (b->len + n > MAX_RESPONSE)
        return 0; /* a gateway has no reason to answer a megabyte */
    b->data = pc_realloc(b->data, b->len + n + 1);
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* The header lines, or NULL with *bad set when one holds CR, LF or another control character. */
static struct curl_slist *header_list(const char *const *headers, int *bad)
{
    struct curl_slist *l = NULL;

    *bad = 0;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        if (!pc_outbound_header_safe(headers[i])) {
            *bad = 1;
            curl_slist_free_all(l);
            return NULL;
        }
        l = curl_slist_append(l, headers[i]);
    }
    return l;
}

static long timeout_of(const pc_http_request *rq)
{
    return rq->timeout_ms > 0 && rq->timeout_ms < MAX_TIMEOUT_MS ? rq->timeout_ms : MAX_TIMEOUT_MS;
}

pc_status pc_http_client_send(const pc_http_request *rq, pc_http_response *out)
{
    CURL *c;
    struct curl_slist *hdrs;
    buffer b = {NULL, 0};
    CURLcode cc;
    int bad;

    memset(out, 0, sizeof *out);
    hdrs = header_list(rq->headers, &bad);
    if (bad || !pc_outbound_header_safe(rq->url) ||
        (rq->method != NULL && !pc_outbound_header_safe(rq->method))) {
        pc_warn("outbound request refused: a header, the URL or the method holds CR, LF or "
                "another control character");
        curl_slist_free_all(hdrs);
        return PC_ERR_INVALID;
    }
    if ((c = curl_easy_init()) == NULL) {
        curl_slist_free_all(hdrs);
        return PC_ERR_INTERNAL;
    }
    pc_outbound_guard(c);
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method ? rq->method : "GET");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_of(rq));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_of(rq) < CONNECT_TIMEOUT_MS ? timeout_of(rq) : CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rq->body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)rq->body_len);
    }
    if (rq->basic_user != NULL) {
        curl_easy_setopt(c, CURLOPT_USERNAME, rq->basic_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, rq->basic_password ? rq->basic_password : "");
    }
    cc = curl_easy_perform(c);
    out->status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = b.data;
    out->body_len = b.len;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return cc == CURLE_OK ? PC_OK : PC_ERR_UNAVAILABLE;
}
