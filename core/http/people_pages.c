/* SPDX-License-Identifier: Apache-2.0 */
/* /ui/reset, /ui/verify, /ui/invite, /ui/register (API.md §12): the page shells; people.js talks to the API. */
#include "http/endpoints.h"
#include "http/pages.h"
#include "server/server.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* A link token as issued (base64url, 43 characters), or "" for anything else. */
static const char *token_param(pc_req *rq)
{
    const char *t = pc_req_param(rq, "token");

    if (t == NULL || strlen(t) < 40 || strlen(t) > 64 ||
        strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(t))
        return "";
    return t;
}

/* Where "Back to sign in" goes: only this tenant's authorization endpoint (no open redirect). */
static const char *return_param(pc_req *rq, char **prefix)
{
    const char *r = pc_req_param(rq, "return");

    *prefix = pc_asprintf("%s/oauth2/authorize?", rq->tenant->issuer);
    if (r == NULL || strncmp(r, *prefix, strlen(*prefix)) != 0 || strpbrk(r, "\"<> \r\n") != NULL)
        return "";
    return r;
}

void pc_http_people_page(pc_req *rq)
{
    const char *path = rq->route->path, *page = strrchr(path, '/') + 1, *token = token_param(rq);
    char *prefix = NULL;
    json_t *vars;

    if (strcmp(page, "register") == 0 && !rq->tenant->registration_open) {
        pc_page_error(rq, 404, "not_found", "Sign-up is not open here. Ask for an invitation.");
        return;
    }
    /* /ui/reset without a token asks for a link. */
    if (strcmp(page, "reset") == 0 && *token == '\0')
        page = "forgot";
    vars = json_pack("{s:s,s:s}", "token", token, "return_url", return_param(rq, &prefix));
    pc_page_reply(rq, 200, page, vars);
    json_decref(vars);
    free(prefix);
}
