/* SPDX-License-Identifier: Apache-2.0 */
/* CORS for the endpoints browsers call cross-origin: only the origins of registered redirect URIs. */
#include "http/cors.h"
#include "http/endpoints.h"
#include "oauth2/redirect.h"
#include "server/store.h"

#include <string.h>
#include <ulfius.h>

#define MAX_APPS 1000

static int app_allows(const json_t *app, const char *origin)
{
    char o[512];
    size_t i;
    json_t *uri;

    json_array_foreach (json_object_get(app, "redirect_uris"), i, uri)
        if (pc_redirect_origin(json_string_value(uri), o, sizeof o) && strcmp(o, origin) == 0)
            return 1;
    return 0;
}

static int origin_allowed(const pc_req *rq, const char *origin, const char *client_id)
{
    pc_store_query q = {.filters = NULL, .after = NULL, .limit = MAX_APPS, .descending = 0};
    json_t *apps = NULL, *app = NULL;
    int ok = 0;
    size_t i;

    if (client_id != NULL) {
        if (pc_db_get(NULL, PC_ENT_APPLICATION, rq->tenant->id, "client_id", client_id, &app) ==
            PC_OK)
            ok = app_allows(app, origin);
        json_decref(app);
        return ok;
    }
    if (pc_db_list(NULL, PC_ENT_APPLICATION, rq->tenant->id, &q, &apps) != PC_OK)
        return 0;
    json_array_foreach (apps, i, app)
        if (!ok)
            ok = app_allows(app, origin);
    json_decref(apps);
    return ok;
}

void pc_http_cors(pc_req *rq)
{
    const char *origin = pc_req_header(rq, "Origin");
    const char *client_id = pc_req_form(rq, "client_id");

    if (rq->tenant == NULL)
        return;
    /* The answer depends on Origin: shared caches must keep them apart. */
    pc_reply_header(rq, "Vary", "Origin");
    if (origin == NULL || strlen(origin) > 500)
        return;
    if (client_id == NULL)
        client_id = rq->u->auth_basic_user; /* as sent: client ids are URL-safe */
    if (!origin_allowed(rq, origin, client_id))
        return;
    pc_reply_header(rq, "Access-Control-Allow-Origin", origin);
    pc_reply_header(rq, "Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After");
}

/* A CORS preflight (Fetch standard): the actual request is checked again when it comes. */
void pc_http_preflight(pc_req *rq)
{
    pc_reply_header(rq, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    pc_reply_header(rq, "Access-Control-Allow-Headers", "Authorization, Content-Type, DPoP");
    pc_reply_header(rq, "Access-Control-Max-Age", "600");
    pc_reply_empty(rq, 204);
}
