/* SPDX-License-Identifier: Apache-2.0 */
/* GET /ui/assets/{file} and /ui/assets/console/{file}: the webapp's stylesheets, scripts and images. */
#include "http/endpoints.h"
#include "http/pages.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ASSET (1024 * 1024)

static const char *content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');

    for (size_t i = 0; dot != NULL && i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* One plain file name: no directories, no hidden files. */
static int safe_name(const char *name)
{
    if (name == NULL || *name == '\0' || *name == '.' || strlen(name) > 100)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
           strlen(name);
}

static char *read_asset(const char *dir, const char *name)
{
    char *path =
             pc_asprintf("%s/assets/%s%s%s", pc_webapp_dir(), dir ? dir : "", dir ? "/" : "", name),
         *text = NULL;
    FILE *f = fopen(path, "rb");
    size_t n;

    free(path);
    if (f == NULL)
        return NULL;
    text = pc_malloc(MAX_ASSET + 1);
    n = fread(text, 1, MAX_ASSET, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void reply_asset(pc_req *rq, const char *dir)
{
    const char *name = pc_req_param(rq, "file");
    const char *type = safe_name(name) ? content_type(name) : NULL;
    char *text = type ? read_asset(dir, name) : NULL;

    pc_reply_header(rq, "X-Content-Type-Options", "nosniff");
    pc_reply_header(rq, "Content-Security-Policy", PC_CSP_CONSOLE);
    if (text == NULL) {
        pc_reply_raw(rq, 404, "text/plain; charset=utf-8", "not found\n");
        return;
    }
    pc_reply_header(rq, "Cache-Control", "public, max-age=3600");
    pc_reply_raw(rq, 200, type, text);
    free(text);
}

void pc_http_static(pc_req *rq)
{
    reply_asset(rq, NULL);
}

/* The consoles' modules and styles (API.md §13), one directory down. */
void pc_http_static_console(pc_req *rq)
{
    reply_asset(rq, "console");
}
