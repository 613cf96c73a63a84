/* SPDX-License-Identifier: Apache-2.0 */
/* /federation/{name}/start and /callback: HTTP in, the sign-in's pages and redirects out. */
#include "http/authorize.h"
#include "http/endpoints.h"
#include "http/pages.h"
#include "oauth2/federation.h"
#include "iam/idp.h"
#include "server/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Ties the upstream's callback to the browser that started the sign-in. */
#define PC_COOKIE_FED "pc_fed"

/*
 * Linking (link=1) acts on the browser's session, so another site must not start it: a page
 * elsewhere that sent the browser here after signing it in upstream as someone else would get
 * that identity linked to this account. Browsers say where a navigation came from.
 */
static int same_site_link(pc_req *rq)
{
    const char *link = pc_req_param(rq, "link"), *site = pc_req_header(rq, "Sec-Fetch-Site");

    if (link == NULL || site == NULL || strcmp(site, "same-origin") == 0 ||
        strcmp(site, "none") == 0)
        return 1;
    pc_fed_log_failure(rq->tenant->slug, pc_req_param(rq, "name"),
                       "a link started by another site (Sec-Fetch-Site is not same-origin)");
    pc_page_error(rq, 403, "access_denied",
                  "Linking an account must be started from your account page. Open your "
                  "account page and choose Link there.");
    return 0;
}

void pc_http_federation_start(pc_req *rq)
{
    pc_web_in in;
    pc_web_out out;
    char *binding = NULL;

    if (strcmp(pc_req_method(rq), "POST") == 0 &&
        !pc_req_content_type_is(rq, "application/x-www-form-urlencoded")) {
        pc_fed_log_failure(rq->tenant->slug, pc_req_param(rq, "name"),
                           "the start was posted without a form");
        pc_page_error(rq, 400, "invalid_request",
                      "The request was not a form this server understands.");
        return;
    }
    if (!same_site_link(rq))
        return;
    pc_http_web_in(rq, &in);
    in.posted = strcmp(pc_req_method(rq), "POST") == 0;
    pc_fed_start(&in, pc_req_param(rq, "name"), &out, &binding);
    if (binding != NULL)
        pc_reply_cookie(rq, PC_COOKIE_FED, binding, PC_FED_STATE_TTL);
    pc_http_web_respond(rq, &out);
    pc_web_out_clear(&out);
    pc_free_secret(binding);
}

void pc_http_federation_callback(pc_req *rq)
{
    pc_web_in in;
    pc_web_out out;

    pc_http_web_in(rq, &in);
    pc_fed_callback(&in, pc_req_param(rq, "name"), pc_req_cookie(rq, PC_COOKIE_FED), &out);
    pc_http_web_respond(rq, &out);
    pc_web_out_clear(&out);
}

/* One form per enabled redirect provider: the sealed request and CSRF go with it. */
static char *button(const pc_req *rq, const pc_web_out *out, const json_t *idp, const json_t *d,
                    char *html)
{
    char *name = pc_html_escape(json_string_value(json_object_get(idp, "name")));
    char *label = pc_html_escape(json_string_value(json_object_get(d, "label")));
    const char *icon = json_string_value(json_object_get(d, "icon")); /* a checked slug */
    char *issuer = pc_html_escape(rq->tenant->issuer), *req = pc_html_escape(out->request);
    char *csrf = pc_html_escape(out->csrf);
    char *next = pc_asprintf(
        "%s<form method=\"post\" action=\"%s/federation/%s/start\" class=\"federation\">"
        "<input type=\"hidden\" name=\"request\" value=\"%s\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
        "<button type=\"submit\" class=\"secondary\"%s%s%s>%s</button></form>",
        html, issuer, name, req, csrf, icon ? " data-icon=\"" : "", icon ? icon : "",
        icon ? "\"" : "", label);

    free(name);
    free(label);
    free(issuer);
    free(req);
    free(csrf);
    free(html);
    return next;
}

/* A directory's sentence beside the password form (its describe() label). */
static char *note(const json_t *d, char *html)
{
    char *label, *next;

    if (json_object_get(d, "label") == NULL)
        return html;
    label = pc_html_escape(json_string_value(json_object_get(d, "label")));
    next = pc_asprintf("%s<p class=\"note directory\">%s</p>", html, label);
    free(label);
    free(html);
    return next;
}

/* Sets `key` of vars to html unless it is empty; frees html. */
static void set_html(json_t *vars, const char *key, char *html)
{
    if (*html != '\0')
        json_object_set_new(vars, key, json_string(html));
    free(html);
}

void pc_http_federation_buttons(const pc_req *rq, const pc_web_out *out, json_t *vars)
{
    json_t *filters = json_pack("{s:b}", "enabled", 1), *rows = NULL, *r;
    pc_store_query q = {.filters = filters, .after = NULL, .limit = 50, .descending = 0};
    char *buttons = pc_strdup(""), *notes = pc_strdup("");
    size_t i;

    if (out->request != NULL && out->csrf != NULL &&
        pc_db_list(NULL, PC_ENT_IDENTITY_PROVIDER, rq->tenant->id, &q, &rows) == PC_OK) {
        json_array_foreach (rows, i, r) {
            /* what each shows is its plugin's to say (describe), not its kind's name */
            json_t *d = pc_idp_describe(rq->tenant->id, r);
            const char *method = json_string_value(json_object_get(d, "method"));
            if (method != NULL && strcmp(method, "redirect") == 0)
                buttons = button(rq, out, r, d, buttons);
            else if (method != NULL)
                notes = note(d, notes);
            json_decref(d);
        }
    }
    set_html(vars, "federation_buttons", buttons);
    set_html(vars, "directory_notes", notes);
    json_decref(rows);
    json_decref(filters);
}
