/* SPDX-License-Identifier: Apache-2.0 */
/* What the identity-provider plugins share: URLs and forms, JSON over the host's HTTP, claims mapping. */
#include "idp_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_DEPTH 8

char *idp_url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1), *p = out;

    if (out == NULL)
        abort();
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    return out;
}

/* `start` followed by the "name=value" pairs joined with "&". */
static char *append_pairs(const char *start, const char *const *pairs)
{
    size_t cap = strlen(start) + 1, len;
    int first = 1;
    char *out;

    for (size_t i = 0; pairs[i] != NULL; i += 2)
        if (pairs[i + 1] != NULL)
            cap += 2 + 3 * (strlen(pairs[i]) + strlen(pairs[i + 1]));
    out = malloc(cap);
    if (out == NULL)
        abort();
    strcpy(out, start);
    len = strlen(out);
    for (size_t i = 0; pairs[i] != NULL; i += 2) {
        char *k, *v;
        if (pairs[i + 1] == NULL)
            continue;
        k = idp_url_encode(pairs[i]);
        v = idp_url_encode(pairs[i + 1]);
        len += (size_t)snprintf(out + len, cap - len, "%s%s=%s", first ? "" : "&", k, v);
        first = 0;
        free(k);
        free(v);
    }
    return out;
}

char *idp_form(const char *const *pairs)
{
    return append_pairs("", pairs);
}

char *idp_url_with(const char *base, const char *const *pairs)
{
    char *start = malloc(strlen(base) + 2), *out;

    if (start == NULL)
        abort();
    sprintf(start, "%s%c", base, strchr(base, '?') ? '&' : '?');
    out = append_pairs(start, pairs);
    free(start);
    return out;
}

/* "<what> <detail>" into buf. */
static pc_status why(char *buf, size_t len, pc_status rc, const char *what, const char *detail)
{
    snprintf(buf, len, "%s%s%s", what, detail ? " " : "", detail ? detail : "");
    return rc;
}

/* "the upstream refused: error=<code>", the code cut to [A-Za-z0-9_] (it goes to the log). */
static pc_status refused(char *buf, size_t len, const json_t *error)
{
    const char *e = json_string_value(error);
    size_t n = e ? strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") : 0;

    if (n == 0)
        snprintf(buf, len, "the upstream refused: %s",
                 error ? "an unreadable error" : "an error status");
    else
        snprintf(buf, len, "the upstream refused: error=%.*s", (int)(n > 64 ? 64 : n), e);
    return PC_ERR_DENIED;
}

pc_status idp_token_refusal(const json_t *answer, char *why_buf, size_t why_len)
{
    const json_t *e = json_object_get(answer, "error");

    return e == NULL ? PC_OK : refused(why_buf, why_len, e);
}

pc_status idp_fetch_json(const pc_host *host, const idp_fetch *f, json_t **out, char *why_buf,
                         size_t why_len)
{
    char auth[4200];
    const char *headers[4] = {"Accept: application/json", NULL, NULL, NULL};
    pc_http_request rq = {.method = f->method,
                          .url = f->url,
                          .headers = headers,
                          .body = f->body,
                          .body_len = f->body ? strlen(f->body) : 0,
                          .basic_user = f->basic_user,
                          .basic_password = f->basic_password};
    pc_http_response rs = {0};
    json_t *j;
    pc_status rc;

    *out = NULL;
    if (f->body != NULL)
        headers[1] = "Content-Type: application/x-www-form-urlencoded";
    if (f->bearer != NULL && strlen(f->bearer) < 4096) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->bearer);
        headers[f->body ? 2 : 1] = auth;
    }
    rc = host->http(&rq, &rs);
    if (rc != PC_OK)
        return why(why_buf, why_len, PC_ERR_UNAVAILABLE, "cannot reach", f->url);
    j = json_loadb(rs.body ? rs.body : "", rs.body_len, 0, NULL);
    host->free(rs.body);
    if (rs.status >= 500 || (rs.status >= 200 && rs.status < 300 && !json_is_object(j))) {
        json_decref(j);
        return why(why_buf, why_len, PC_ERR_UNAVAILABLE, "a 5xx or no JSON object from", f->url);
    }
    /* RFC 6749 §5.2, RFC 6750 §3.1: a refusal is 400, 401 or 403; any other status (a 404 of an
     * endpoint that moved, a redirect) says the upstream is not where we think it is right now */
    if (rs.status != 400 && rs.status != 401 && rs.status != 403 &&
        (rs.status < 200 || rs.status >= 300)) {
        json_decref(j);
        snprintf(why_buf, why_len, "an unexpected status %ld from %s", rs.status, f->url);
        return PC_ERR_UNAVAILABLE;
    }
    if (rs.status < 200 || rs.status >= 300) {
        rc = refused(why_buf, why_len, json_object_get(j, "error"));
        json_decref(j);
        return rc;
    }
    *out = j;
    return PC_OK;
}

const json_t *idp_json_path(const json_t *obj, const char *path)
{
    char key[128];
    const char *p = path, *dot;
    int depth = 0;

    while (obj != NULL && p != NULL && *p != '\0') {
        size_t n;
        if (++depth > MAX_PATH_DEPTH)
            return NULL;
        dot = strchr(p, '.');
        n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        obj = json_object_get(obj, key);
        p = dot ? dot + 1 : NULL;
    }
    return obj;
}

static json_t *typed(const char *field, const json_t *v)
{
    if (strcmp(field, "email_verified") == 0) {
        if (json_is_boolean(v))
            return json_incref((json_t *)v);
        return json_boolean(json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
    }
    if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 512)
        return json_incref((json_t *)v);
    return NULL;
}

json_t *idp_claims_map(const json_t *source, const json_t *mapping, const json_t *defaults)
{
    static const char *const fields[] = {"username", "email",        "email_verified",
                                         "name",     "given_name",   "family_name",
                                         "picture",  "phone_number", NULL};
    json_t *out = json_object();

    for (size_t i = 0; fields[i] != NULL; i++) {
        const json_t *m = json_object_get(mapping, fields[i]);
        const char *path = json_string_value(m ? m : json_object_get(defaults, fields[i]));
        json_t *v = path ? typed(fields[i], idp_json_path(source, path)) : NULL;
        if (v != NULL)
            json_object_set_new(out, fields[i], v);
    }
    return out;
}

char *idp_subject_of(const json_t *v)
{
    char buf[32];

    if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 255)
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(buf);
    }
    return NULL;
}

int idp_amr_has_mfa(const json_t *amr)
{
    size_t i;
    json_t *v;

    json_array_foreach (amr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), "mfa") == 0)
            return 1;
    return 0;
}

char *idp_scopes(const json_t *config, const char *def)
{
    const json_t *s = json_object_get(config, "scopes");
    size_t i, len = 1;
    json_t *v;
    char *out;

    if (json_is_string(s))
        return strdup(json_string_value(s));
    if (!json_is_array(s) || json_array_size(s) == 0)
        return strdup(def);
    json_array_foreach (s, i, v)
        len += json_string_length(v) + 1;
    out = calloc(1, len);
    if (out == NULL)
        abort();
    json_array_foreach (s, i, v) {
        if (!json_is_string(v))
            continue;
        if (*out)
            strcat(out, " ");
        strcat(out, json_string_value(v));
    }
    return out;
}

const char *idp_config_str(const json_t *config, const char *key)
{
    return json_string_value(json_object_get(config, key));
}

/* The host of an http(s) URL into buf, lower case; "" when there is none. */
static void host_of(const char *url, char *buf, size_t len)
{
    const char *p = url ? strstr(url, "://") : NULL;
    size_t n = 0;

    if (p != NULL)
        for (p += 3; *p && *p != '/' && *p != ':' && *p != '?' && *p != '#' && n + 1 < len; p++)
            buf[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    buf[n] = '\0';
}

/* Is `host` `domain` or a name under it? */
static int under(const char *host, const char *domain)
{
    size_t h = strlen(host), d = strlen(domain);

    return h >= d && strcmp(host + h - d, domain) == 0 && (h == d || host[h - d - 1] == '.');
}

json_t *idp_describe_redirect(const pc_idp_call *call, const char *url, const char *fallback)
{
    static const char *const known[][2] = {{"google.com", "google"},
                                           {"microsoftonline.com", "microsoft"},
                                           {"github.com", "github"},
                                           {"gitlab.com", "gitlab"},
                                           {"apple.com", "apple"},
                                           {"facebook.com", "facebook"},
                                           {"okta.com", "okta"},
                                           {"auth0.com", "auth0"},
                                           {NULL, NULL}};
    const char *name = PC_IDP_CALL_HAS(call, display_name) ? call->display_name : NULL;
    const char *icon = fallback;
    char host[256], label[300];

    host_of(url, host, sizeof host);
    for (size_t i = 0; known[i][0] != NULL; i++)
        if (under(host, known[i][0]))
            icon = known[i][1];
    snprintf(label, sizeof label, "Sign in with %s", name && *name ? name : host);
    return json_pack("{s:s,s:s,s:s}", "method", "redirect", "icon", icon, "label", label);
}

int idp_host_usable(const pc_host *host)
{
    return host->struct_size >=
           offsetof(pc_host, outbound_url_problem) + sizeof host->outbound_url_problem;
}
