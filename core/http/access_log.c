/* SPDX-License-Identifier: Apache-2.0 */
/* One access-log line per answered request: what was asked, of whom, with what result. */
#include "http/access_log.h"
#include "http/request.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

/* The client a request names (Basic user, else client_id); never its secret. New string or NULL. */
static char *client_of(const pc_req *rq)
{
    char *user = NULL, *password = NULL;
    const char *id;

    if (pc_req_basic(rq, &user, &password)) {
        pc_free_secret(password);
        return user;
    }
    id = pc_req_form(rq, "client_id");
    if (id == NULL && rq->query != NULL)
        id = pc_req_param(rq, "client_id");
    return id ? pc_strndup(id, strnlen(id, 128)) : NULL;
}

void pc_http_access_log(pc_req *rq, unsigned status, double seconds)
{
    json_t *f, *c;
    char *client;
    const char *tenant;

    if (!pc_log_enabled(PC_LOG_INFO))
        return;
    client = client_of(rq);
    tenant = rq->tenant ? rq->tenant->slug : NULL;
    f = json_pack("{s:s,s:s,s:i,s:f,s:s}", "method", rq->u->http_verb ? rq->u->http_verb : "",
                  "route", rq->route->name, "status", (int)status, "duration_ms",
                  (double)(long long)(seconds * 1e6) / 1e3, "ip", rq->ip);
    if (tenant != NULL)
        json_object_set_new(f, "tenant", json_string(tenant));
    if (client != NULL && (c = json_string(client)) != NULL)
        json_object_set_new(f, "client_id", c);
    pc_log_event(PC_LOG_INFO, "access", f);
    json_decref(f);
    free(client);
}
