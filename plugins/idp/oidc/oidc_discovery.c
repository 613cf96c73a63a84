/* SPDX-License-Identifier: Apache-2.0 */
/* OpenID Connect Discovery of upstream issuers and their JWKS: fetched, checked, cached, refreshed on failure. */
#include "oidc.h"
#include "idp_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ISSUERS 256

typedef struct entry {
    char *issuer;
    json_t *doc, *jwks;
    int64_t doc_at, jwks_at;
    struct entry *next;
} entry;

struct oidc_cache {
    const pc_host *host;
    pthread_mutex_t lock;
    entry *head;
    int count;
};

oidc_cache *oidc_cache_new(const pc_host *host)
{
    oidc_cache *c = calloc(1, sizeof *c);

    if (c == NULL)
        abort();
    c->host = host;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

static void entry_free(entry *e)
{
    free(e->issuer);
    json_decref(e->doc);
    json_decref(e->jwks);
    free(e);
}

void oidc_cache_free(oidc_cache *c)
{
    if (c == NULL)
        return;
    while (c->head != NULL) {
        entry *e = c->head;
        c->head = e->next;
        entry_free(e);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The entry of `issuer`, made when absent (under the lock). The cache is bounded: the oldest goes. */
static entry *find(oidc_cache *c, const char *issuer, int make)
{
    entry *e, **pp;

    for (e = c->head; e != NULL; e = e->next)
        if (strcmp(e->issuer, issuer) == 0)
            return e;
    if (!make)
        return NULL;
    if (c->count >= MAX_ISSUERS) {
        for (pp = &c->head; (*pp)->next != NULL; pp = &(*pp)->next)
            ;
        entry_free(*pp);
        *pp = NULL;
        c->count--;
    }
    e = calloc(1, sizeof *e);
    if (e == NULL || (e->issuer = strdup(issuer)) == NULL)
        abort();
    e->next = c->head;
    c->head = e;
    c->count++;
    return e;
}

/* Is the document sound for `issuer`? NULL, or the problem. */
static const char *doc_problem(const pc_host *host, const json_t *doc, const char *issuer)
{
    static const char *const urls[] = {"authorization_endpoint", "token_endpoint", "jwks_uri",
                                       NULL};
    const char *iss = json_string_value(json_object_get(doc, "issuer"));

    /* OpenID Connect Discovery §4.3: the issuer must be the one asked for, exactly. */
    if (iss == NULL || strcmp(iss, issuer) != 0)
        return "the discovery document names another issuer";
    for (size_t i = 0; urls[i] != NULL; i++) {
        const char *u = json_string_value(json_object_get(doc, urls[i]));
        if (u == NULL || host->outbound_url_problem(u, PC_OUTBOUND_HTTP_ANY) != NULL)
            return "the discovery document lacks an endpoint, or names one that may not be called";
    }
    return NULL;
}

static pc_status fetch_doc(oidc_cache *c, const char *issuer, json_t **doc, char *why,
                           size_t why_len)
{
    size_t n = strlen(issuer);
    char *url = malloc(n + 40);
    idp_fetch f = {.method = "GET"};
    const char *problem;
    pc_status rc;

    if (url == NULL)
        abort();
    /* OpenID Connect Discovery §4.1: a trailing slash of the issuer is not doubled. */
    snprintf(url, n + 40, "%.*s/.well-known/openid-configuration",
             (int)(n > 0 && issuer[n - 1] == '/' ? n - 1 : n), issuer);
    f.url = url;
    rc = idp_fetch_json(c->host, &f, doc, why, why_len);
    free(url);
    if (rc == PC_ERR_DENIED)
        rc = PC_ERR_UNAVAILABLE; /* a 4xx of a discovery URL: the upstream is not usable now */
    if (rc == PC_OK && (problem = doc_problem(c->host, *doc, issuer)) != NULL) {
        snprintf(why, why_len, "%s", problem);
        json_decref(*doc);
        *doc = NULL;
        rc = PC_ERR_DENIED;
    }
    return rc;
}

pc_status oidc_discovery(oidc_cache *c, const char *issuer, int refresh, json_t **doc, char *why,
                         size_t why_len)
{
    int64_t now = c->host->now();
    json_t *fresh = NULL;
    entry *e;
    pc_status rc;

    pthread_mutex_lock(&c->lock);
    e = find(c, issuer, 0);
    if (e != NULL && e->doc != NULL && !refresh && now - e->doc_at < OIDC_CACHE_TTL) {
        *doc = json_incref(e->doc);
        pthread_mutex_unlock(&c->lock);
        return PC_OK;
    }
    pthread_mutex_unlock(&c->lock);
    rc = fetch_doc(c, issuer, &fresh, why, why_len);
    pthread_mutex_lock(&c->lock);
    e = find(c, issuer, rc == PC_OK);
    if (rc == PC_OK) {
        json_decref(e->doc);
        e->doc = json_incref(fresh);
        e->doc_at = now;
        *doc = fresh;
    } else if (rc == PC_ERR_UNAVAILABLE && e != NULL && e->doc != NULL) {
        *doc = json_incref(e->doc); /* the upstream is down: a stale document still serves */
        rc = PC_OK;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

pc_status oidc_jwks(oidc_cache *c, const char *issuer, int refresh, json_t **jwks, char *why,
                    size_t why_len)
{
    int64_t now = c->host->now();
    json_t *doc = NULL, *fresh = NULL;
    idp_fetch f = {.method = "GET"};
    entry *e;
    pc_status rc;

    pthread_mutex_lock(&c->lock);
    e = find(c, issuer, 0);
    if (e != NULL && e->jwks != NULL && !refresh && now - e->jwks_at < OIDC_CACHE_TTL) {
        *jwks = json_incref(e->jwks);
        pthread_mutex_unlock(&c->lock);
        return PC_OK;
    }
    pthread_mutex_unlock(&c->lock);
    /* keys rotated: the document may name another jwks_uri by now, so it is read again too */
    rc = oidc_discovery(c, issuer, refresh, &doc, why, why_len);
    f.url = json_string_value(json_object_get(doc, "jwks_uri"));
    if (rc == PC_OK)
        rc = idp_fetch_json(c->host, &f, &fresh, why, why_len);
    if (rc == PC_ERR_DENIED)
        rc = PC_ERR_UNAVAILABLE;
    pthread_mutex_lock(&c->lock);
    e = rc == PC_OK ? find(c, issuer, 1) : NULL;
    if (e != NULL) {
        json_decref(e->jwks);
        e->jwks = json_incref(fresh);
        e->jwks_at = now;
        *jwks = fresh;
    }
    pthread_mutex_unlock(&c->lock);
    json_decref(doc);
    return rc;
}

void oidc_cache_forget(oidc_cache *c, const char *issuer)
{
    entry *e;

    pthread_mutex_lock(&c->lock);
    e = find(c, issuer, 0);
    if (e != NULL) {
        e->doc_at = 0;
        e->jwks_at = 0;
    }
    pthread_mutex_unlock(&c->lock);
}
