/* SPDX-License-Identifier: Apache-2.0 */
/* LDAP search filters built from a configured template and what a person typed (RFC 4515). */
#include "ldap_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEMPLATE_MAX 1024

/* RFC 4515 §3: valueencoding may carry any octet as ESC HEX HEX; these must be. */
static int must_escape(unsigned char c)
{
    return c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7f;
}

char *ldap_filter_escape(const char *value, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *out, *o;

    if (value == NULL || len > LDAP_FILTER_VALUE_MAX)
        return NULL;
    out = malloc(len * 3 + 1);
    if (out == NULL)
        return NULL;
    o = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (!must_escape(c)) {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        *o++ = hex[c >> 4];
        *o++ = hex[c & 0xf];
    }
    *o = '\0';
    return out;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Parentheses balanced and never below zero, outside escapes; the whole is one filter. RFC
 * 4515 §3: a backslash always starts "\xx", so none can take hold of a substituted value.
 */
static int balanced(const char *t)
{
    int depth = 0;

    for (const char *p = t; *p != '\0'; p++) {
        if (*p == '\\') {
            if (!is_hex(p[1]) || !is_hex(p[2]))
                return 0;
            p += 2;
            if (p[1] == '\0')
                return 0; /* an escape cannot close the filter */
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth < 0)
            return 0;
        if (depth == 0 && p[1] != '\0')
            return 0;
    }
    return depth == 0;
}

/* Every {...} in the template is {placeholder}; *count is how many there are. */
static int placeholders_ok(const char *t, const char *placeholder, int *count)
{
    size_t plen = strlen(placeholder);

    *count = 0;
    for (const char *p = strchr(t, '{'); p != NULL; p = strchr(p + 1, '{')) {
        if (strncmp(p + 1, placeholder, plen) != 0 || p[1 + plen] != '}')
            return 0;
        (*count)++;
    }
    return 1;
}

const char *ldap_filter_template_problem(const char *tmpl, const char *placeholder)
{
    int count;

    if (tmpl == NULL || tmpl[0] != '(' || strlen(tmpl) > TEMPLATE_MAX || !balanced(tmpl))
        return "must be one parenthesised LDAP filter of at most 1024 characters";
    if (!placeholders_ok(tmpl, placeholder, &count) || count == 0)
        return strcmp(placeholder, "dn") == 0 ? "must contain {dn} and no other {...}"
                                              : "must contain {username} and no other {...}";
    return NULL;
}

char *ldap_filter_build(const char *tmpl, const char *placeholder, const char *value)
{
    size_t plen = strlen(placeholder), elen, cap;
    char *esc, *out, *o;
    const char *p;

    if (value == NULL || ldap_filter_template_problem(tmpl, placeholder) != NULL)
        return NULL;
    esc = ldap_filter_escape(value, strlen(value));
    if (esc == NULL)
        return NULL;
    elen = strlen(esc);
    /* Each placeholder ({} plus its name) is at least 3 bytes: this bounds the output. */
    cap = strlen(tmpl) + (strlen(tmpl) / (plen + 2) + 1) * elen + 1;
    out = malloc(cap);
    if (out == NULL) {
        free(esc);
        return NULL;
    }
    o = out;
    for (p = tmpl; *p != '\0';) {
        if (*p == '{') {
            memcpy(o, esc, elen);
            o += elen;
            p += plen + 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    free(esc);
    return out;
}
