/* SPDX-License-Identifier: Apache-2.0 */
/* /audit: the tenant's events, newest first, filtered by type, actor and time. */
#include "api/api.h"
#include "server/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *event_view(const json_t *e, void *ctx)
{
    (void)ctx;
    return json_pack("{s:O,s:O,s:o,s:O,s:O,s:O,s:O}", "id", json_object_get(e, "id"), "type",
                     json_object_get(e, "type"), "time", pc_api_time(json_object_get(e, "time")),
                     "actor", json_object_get(e, "actor"), "subject", json_object_get(e, "subject"),
                     "ip", json_object_get(e, "ip"), "details", json_object_get(e, "details"));
}

static json_t *filters_of(pc_req *rq)
{
    const char *type = pc_req_param(rq, "type"), *actor = pc_req_param(rq, "actor");
    const char *since = pc_req_param(rq, "since");
    json_t *f = json_object();
    int64_t t;

    if (type != NULL)
        json_object_set_new(f, "type", json_string(type));
    if (actor != NULL)
        json_object_set_new(f, "actor", json_string(actor));
    if (since != NULL) {
        if ((t = pc_api_parse_time(since)) < 0) {
            json_decref(f);
            pc_api_invalid_field(rq, "since", "must be Unix seconds or an RFC 3339 UTC time");
            return NULL;
        }
        json_object_set_new(f, "time>=", json_integer(t));
    }
    return f;
}

void pc_api_audit_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor;
    json_t *filters = NULL, *rows = NULL;
    pc_store_query q;
    pc_status rc;

    if (!pc_api_require(rq, &p, "audit", "read") || !pc_api_page(rq, &limit, &cursor) ||
        (filters = filters_of(rq)) == NULL)
        goto out;
    /* Ids are time-ordered, so id order descending is newest first. */
    q = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 1};
    rc = pc_db_list(NULL, PC_ENT_AUDIT, rq->tenant->id, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, event_view, NULL);
out:
    json_decref(filters);
    pc_principal_clear(&p);
}
