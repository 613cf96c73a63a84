/* SPDX-License-Identifier: Apache-2.0 */
/* The words of the organization picker of browser sign-in (API.md §18): one button per organization. */
#include "http/authorize.h"
#include "http/pages.h"
#include "util/mem.h"

#include <stdlib.h>

/* <li> items, each a submit button named organization whose value is the id; every value escaped. */
static char *org_items(const json_t *orgs)
{
    char *html = pc_strdup(""), *id, *name, *slug, *next;
    size_t i;
    json_t *o;

    json_array_foreach (orgs, i, o) {
        id = pc_html_escape(json_string_value(json_object_get(o, "id")));
        name = pc_html_escape(json_string_value(json_object_get(o, "name")));
        slug = pc_html_escape(json_string_value(json_object_get(o, "slug")));
        next = pc_asprintf("%s<li><button type=\"submit\" name=\"organization\" value=\"%s\" "
                           "class=\"secondary org\" aria-describedby=\"org-%s\">%s</button>"
                           "<span class=\"slug\" id=\"org-%s\">%s</span></li>",
                           html, id, id, name, id, slug);
        free(id);
        free(name);
        free(slug);
        free(html);
        html = next;
    }
    return html;
}

void pc_http_org_page_vars(const pc_req *rq, const pc_web_out *out, json_t *vars)
{
    char *items = org_items(out->orgs);

    json_object_set_new(vars, "org_action",
                        json_sprintf("%s/oauth2/authorize/organization", rq->tenant->issuer));
    json_object_set_new(vars, "org_items", json_string(items));
    free(items);
}
