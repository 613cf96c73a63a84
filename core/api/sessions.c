/* SPDX-License-Identifier: Apache-2.0 */
/* /users/{id}/sessions: list a user's open sessions, or end them all with their tokens. */
#include "api/escalation.h"
#include "api/users.h"
#include "oauth2/changes.h"
#include "oauth2/session.h"
#include "server/store.h"

static json_t *session_view(const json_t *s, void *ctx)
{
    (void)ctx;
    return json_pack("{s:O,s:O,s:O,s:o,s:o,s:o,s:O}", "id", json_object_get(s, "id"), "client_id",
                     json_object_get(s, "client_id"), "amr", json_object_get(s, "amr"), "auth_time",
                     pc_api_time(json_object_get(s, "auth_time")), "created_at",
                     pc_api_time(json_object_get(s, "created_at")), "expires_at",
                     pc_api_time(json_object_get(s, "expires_at")), "ip", json_object_get(s, "ip"));
}

void pc_api_users_sessions_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor;
    json_t *u = NULL, *filters = NULL, *rows = NULL;
    pc_store_query q;
    pc_status rc;

    if (!pc_api_require(rq, &p, "sessions", "read") || !pc_api_page(rq, &limit, &cursor) ||
        (u = pc_api_user_load(rq)) == NULL)
        goto out;
    filters = json_pack("{s:O,s:n}", "user_id", json_object_get(u, "id"), "ended_at");
    q = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 1};
    rc = pc_db_list(NULL, PC_ENT_SESSION, rq->tenant->id, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, session_view, NULL);
out:
    json_decref(filters);
    json_decref(u);
    pc_principal_clear(&p);
}

void pc_api_users_sessions_end(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL;
    const char *id;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "sessions", "delete") || (u = pc_api_user_load(rq)) == NULL ||
        !pc_api_may_act_on(rq, &p, json_string_value(json_object_get(u, "id"))))
        goto out;
    id = json_string_value(json_object_get(u, "id"));
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_session_end_all(tx, rq->tenant, id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "session.ended", id, NULL);
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(u);
    pc_principal_clear(&p);
}
