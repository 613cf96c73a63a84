/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the LDAP filter escaping and templates of plugins/idp/ldap/ldap_filter.c (RFC 4515):
 * the whole input is escaped as a username; then its first line is put into the template of
 * its second line. Whatever a person types must match only itself: the escaped text holds
 * no filter syntax, decodes back to the input, and leaves the template's structure as it was.
 */
#include "fuzz_support.h"
#include "ldap_filter.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* RFC 4515 §3: only these may appear unescaped in our output; "\xx" decodes back exactly. */
static void check_escaped(const uint8_t *in, size_t len, const char *out)
{
    size_t i = 0;

    for (const char *p = out; *p != '\0'; i++) {
        FUZZ_ASSERT(i < len);
        if (*p == '\\') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            FUZZ_ASSERT(hi >= 0 && lo >= 0);
            FUZZ_ASSERT(in[i] == (uint8_t)(hi << 4 | lo));
            p += 3;
            continue;
        }
        FUZZ_ASSERT(strchr("*()", *p) == NULL && *p >= 0x20 && *p < 0x7f);
        FUZZ_ASSERT(in[i] == (uint8_t)*p);
        p++;
    }
    FUZZ_ASSERT(i == len);
}

/* The parentheses of a filter outside "\xx" escapes, as a string of '(' and ')'. */
static char *parens(const char *f)
{
    char *out = malloc(strlen(f) + 1), *o = out;

    for (const char *p = f; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0')
            p++;
        else if (*p == '(' || *p == ')')
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

/* The template with each "{username}" replaced by the escaped value, written another way. */
static char *substituted(const char *tmpl, const char *value)
{
    char *esc = ldap_filter_escape(value, strlen(value));
    size_t cap = strlen(tmpl) * (strlen(esc) + 1) + 1, n = 0;
    char *out = malloc(cap);
    const char *p = tmpl, *hit;

    while ((hit = strstr(p, "{username}")) != NULL) {
        memcpy(out + n, p, (size_t)(hit - p));
        n += (size_t)(hit - p);
        memcpy(out + n, esc, strlen(esc));
        n += strlen(esc);
        p = hit + strlen("{username}");
    }
    memcpy(out + n, p, strlen(p) + 1);
    free(esc);
    return out;
}

static void check_template(const char *tmpl, const char *value)
{
    char *built = ldap_filter_build(tmpl, "username", value);
    char *want, *got;

    if (ldap_filter_template_problem(tmpl, "username") != NULL ||
        strlen(value) > LDAP_FILTER_VALUE_MAX) {
        FUZZ_ASSERT(built == NULL);
        return;
    }
    FUZZ_ASSERT(built != NULL);
    want = substituted(tmpl, value);
    FUZZ_ASSERT(strcmp(built, want) == 0);
    free(want);
    want = parens(tmpl);
    got = parens(built);
    FUZZ_ASSERT(strcmp(want, got) == 0);
    free(want);
    free(got);
    free(built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines in;
    char *esc = ldap_filter_escape((const char *)data, size);

    if (size > LDAP_FILTER_VALUE_MAX) {
        FUZZ_ASSERT(esc == NULL);
    } else {
        FUZZ_ASSERT(esc != NULL);
        check_escaped(data, size, esc);
        free(esc);
    }
    fuzz_lines_split(&in, data, size);
    check_template(fuzz_line(&in, 1, "(uid={username})"), fuzz_line(&in, 0, ""));
    fuzz_lines_free(&in);
    return 0;
}
