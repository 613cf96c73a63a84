/* SPDX-License-Identifier: Apache-2.0 */
/* What the provider plugins share: config checks, {{var}} templates, and log-safe remote messages. */
#include "provider_util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pv_known_keys(const json_t *config, const char *const *known, const char **problem)
{
    const char *key;
    json_t *v;

    json_object_foreach ((json_t *)config, key, v) {
        size_t i = 0;
        while (known[i] != NULL && strcmp(known[i], key) != 0)
            i++;
        if (known[i] == NULL) {
            *problem = "config has a member this provider does not know";
            return 0;
        }
    }
    return 1;
}

int pv_opt_string(const json_t *config, const char *key)
{
    json_t *v = json_object_get(config, key);

    return v == NULL ||
           (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 4096);
}

int pv_opt_int(const json_t *config, const char *key, json_int_t min, json_int_t max)
{
    json_t *v = json_object_get(config, key);

    return v == NULL ||
           (json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max);
}

json_int_t pv_int(const json_t *config, const char *key, json_int_t def)
{
    json_t *v = json_object_get(config, key);

    return json_is_integer(v) ? json_integer_value(v) : def;
}

const char *pv_str(const json_t *config, const char *key, const char *def)
{
    const char *s = json_string_value(json_object_get(config, key));

    return s != NULL ? s : def;
}

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *bigger = realloc(b->s, cap);
        if (bigger == NULL) {
            b->failed = 1;
            return;
        }
        b->s = bigger;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* A value inside a JSON string: jansson escapes it, we drop its quotes. */
static void put_value(sbuf *b, const char *v, int json_escape)
{
    json_t *j;
    char *enc;

    if (!json_escape) {
        put(b, v, strlen(v));
        return;
    }
    j = json_string(v);
    enc = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (enc == NULL || strlen(enc) < 2) {
        free(enc);
        b->failed = 1;
        return;
    }
    put(b, enc + 1, strlen(enc) - 2);
    free(enc);
}

char *pv_render(const char *tpl, const json_t *vars, int json_escape)
{
    sbuf b = {0};

    put(&b, "", 0);
    for (const char *p = tpl; *p && !b.failed;) {
        const char *end = strncmp(p, "{{", 2) == 0 ? strstr(p + 2, "}}") : NULL;
        char key[32];
        const char *v;
        if (end == NULL || (size_t)(end - p - 2) >= sizeof key) {
            put(&b, p++, 1);
            continue;
        }
        memcpy(key, p + 2, (size_t)(end - p - 2));
        key[end - p - 2] = '\0';
        v = json_string_value(json_object_get(vars, key));
        if (v != NULL)
            put_value(&b, v, json_escape);
        p = end + 2;
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Blank every occurrence of `needle` in s. */
static void blank(char *s, const char *needle)
{
    size_t n = needle ? strlen(needle) : 0;
    char *hit;

    if (n < 3)
        return;
    while ((hit = strstr(s, needle)) != NULL)
        memset(hit, '*', n);
}

char *pv_log_safe(const char *remote, const pc_message *msg)
{
    char *s = strndup(remote ? remote : "", 4096);

    if (s == NULL)
        return NULL;
    blank(s, msg ? msg->text : NULL);
    blank(s, msg ? json_string_value(json_object_get(msg->vars, "code")) : NULL);
    for (char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    if (strlen(s) > 200)
        strcpy(s + 197, "...");
    return s;
}

int pv_host_has_outbound(const pc_host *host)
{
    return host != NULL &&
           host->struct_size >=
               offsetof(pc_host, outbound_url_problem) + sizeof(host->outbound_url_problem) &&
           host->outbound_allow_private != NULL && host->outbound_check != NULL &&
           host->outbound_url_problem != NULL;
}

int pv_single_line(const char *s)
{
    for (; s != NULL && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return s != NULL;
}
