/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes page rendering (core/http/pages.c) with attacker-controlled values: the sign-in
 * pages' real templates (the .html files of webapp/) filled from the input, whose lines become the values
 * (usernames, messages, app names, state...). The markup characters < > " ' in the output
 * must all come from the template or from HTML the server builds, never from a value.
 * Input: a template selector byte, then the values, one per line; or 'T' and a template of
 * its own (the template parser is fuzzed too).
 */
#include "fuzz_support.h"
#include "http/pages.h"

static const char *const pages[] = {"login", "consent", "mfa", "error", "logged_out"};
#define NPAGES (sizeof pages / sizeof pages[0])
static char *templates[NPAGES];
static const char *const names[] = {
    "username",       "message",    "tenant_name", "app_name",   "user_name",  "error",
    "request",        "csrf",       "notice",      "method",     "asset_base", "login_action",
    "consent_action", "mfa_action", "method_lead", "code_label", "inputmode",  "can_resend"};
#define NNAMES (sizeof names / sizeof names[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < NPAGES; i++) {
        char path[1024];
        FILE *f;
        snprintf(path, sizeof path, "%s/%s.html", PC_BUILD_WEBAPP_DIR, pages[i]);
        f = fopen(path, "rb");
        FUZZ_ASSERT(f != NULL);
        templates[i] = calloc(1, 256 * 1024 + 1);
        fread(templates[i], 1, 256 * 1024, f);
        fclose(f);
    }
    return 0;
}

/* A copy with the markup characters replaced: the same page shape, no markup to carry. */
static char *defanged(const char *s)
{
    char *d = strdup(s);

    for (char *p = d; *p; p++)
        if (strchr("<>\"'", *p) != NULL)
            *p = '_';
    return d;
}

/* The raw ({{&...}}) values as the server builds them: <li> items of escaped text. */
static char *items(const char *a, const char *b)
{
    char *ea = pc_html_escape(a), *eb = pc_html_escape(b),
         *html = malloc(strlen(ea) + strlen(eb) + 32);

    sprintf(html, "<li>%s</li><li>%s</li>", ea, eb);
    free(ea);
    free(eb);
    return html;
}

static json_t *vars_of(const fuzz_lines *in, size_t first, int defang)
{
    json_t *v = json_object();
    const char *line[NNAMES];
    char *raw;

    for (size_t i = 0; i < NNAMES; i++) {
        char *s;
        line[i] = fuzz_line(in, first + i % (in->n > first ? in->n - first : 1), "");
        s = defang ? defanged(line[i]) : strdup(line[i]);
        json_object_set_new(v, names[i], json_stringn_nocheck(s, strlen(s)));
        free(s);
    }
    for (int i = 0; i < 2; i++) {
        char *a = defang ? defanged(line[0]) : strdup(line[0]);
        char *b = defang ? defanged(line[2]) : strdup(line[2]);
        raw = items(a, b);
        json_object_set_new(v, i ? "choices" : "scope_items", json_string_nocheck(raw));
        free(raw);
        free(a);
        free(b);
    }
    return v;
}

static size_t markup(const char *html)
{
    size_t n = 0;

    for (; *html; html++)
        n += strchr("<>\"'", *html) != NULL;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines in;
    const char *tpl;
    json_t *vars, *tame;
    char *html, *html_tame;

    if (size == 0)
        return 0;
    fuzz_lines_split(&in, data + 1, size - 1);
    /* 'T': the first line is the template; otherwise the byte picks a real page. */
    tpl = data[0] == 'T' ? in.line[0] : templates[data[0] % NPAGES];
    vars = vars_of(&in, data[0] == 'T' ? 1 : 0, 0);
    tame = vars_of(&in, data[0] == 'T' ? 1 : 0, 1);
    html = pc_page_render(tpl, vars);
    html_tame = pc_page_render(tpl, tame);
    /* Every value escaped: values with markup add no markup characters to the page (a
     * template of the input's own may ask for a value raw, which only C-built HTML may be). */
    if (data[0] != 'T' || strstr(tpl, "{{&") == NULL)
        FUZZ_ASSERT(markup(html) == markup(html_tame));
    free(html);
    free(html_tame);
    json_decref(vars);
    json_decref(tame);
    fuzz_lines_free(&in);
    return 0;
}
