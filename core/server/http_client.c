/* SPDX-License-Identifier: Apache-2.0 */
/* Outbound HTTP for provider plugins, over libcurl. */
#include "server/host.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 10000L
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

static struct curl_slist *header_list(const char *const *headers)
{
    struct curl_slist *l = NULL;

    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
        l = curl_slist_append(l, headers[i]);
    return l;
}

pc_status pc_http_client_send(const pc_http_request *rq, pc_http_response *out)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = header_list(rq->headers);
    buffer b = {NULL, 0};
    CURLcode cc;

    if (c == NULL)
        return PC_ERR_INTERNAL;
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method ? rq->method : "GET");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     rq->timeout_ms > 0 ? rq->timeout_ms : DEFAULT_TIMEOUT_MS);
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
