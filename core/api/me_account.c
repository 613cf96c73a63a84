/* SPDX-License-Identifier: Apache-2.0 */
/* The account console's own-token calls: PATCH /me, and /me/sessions to see and end one's sessions. */
#include "api/links.h"
#include "api/users.h"
#include "authz/authz.h"
#include "iam/users.h"
#include "oauth2/session.h"
#include "server/store.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* What an application's token is told here (403): only a person calls these. */
#define APPS_REFUSED "Only a person has an account profile and sessions"

static const pc_field profile_fields[] = {{"name", PC_F_NULLABLE_STRING, 0},
                                          {"email", PC_F_NULLABLE_STRING, 0},
                                          {"phone_number", PC_F_NULLABLE_STRING, 0}};

static int valid_profile(pc_req *rq, const json_t *body)
{
    const char *email = json_string_value(json_object_get(body, "email"));
    const char *name = json_string_value(json_object_get(body, "name"));

    if (email != NULL && (strchr(email, '@') == NULL || strlen(email) > 254)) {
        pc_api_invalid_field(rq, "email", "must be an email address");
        return 0;
    }
    if (name != NULL && strlen(name) > 200) {
        pc_api_invalid_field(rq, "name", "at most 200 characters");
        return 0;
    }
    return 1;
}

/* The columns to write: emails in their stored form (API.md §11); a new email is unverified. */
static json_t *profile_columns(const json_t *body, const json_t *before, int *changed)
{
    json_t *cols = json_deep_copy(body);
    const char *old = json_string_value(json_object_get(before, "email"));
    char *email = pc_iam_email_normal(json_string_value(json_object_get(body, "email")));

    *changed = json_object_get(body, "email") != NULL &&
               (email == NULL || old == NULL || strcmp(email, old) != 0);
    if (email != NULL)
        json_object_set_new(cols, "email", json_string(email));
    if (*changed)
        json_object_set_new(cols, "email_verified", json_false());
    json_object_set_new(cols, "updated_at", json_integer(pc_now()));
    free(email);
    return cols;
}

/*
 * An email change sends a verification link (API.md §11, §12) to the new address, issued in
 * the change's transaction. Without an email provider the change is saved and no link goes.
 */
static pc_status write_profile(pc_req *rq, const pc_principal *p, const json_t *body, json_t *cols,
                               json_t *provider, char *conflict)
{
    pc_store_tx *tx = NULL;
    json_t *after = NULL;
    char *token = NULL;
    pc_link_spec spec;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, p->id, cols, conflict, 64);
    if (rc == PC_OK)
        rc = pc_pdp_subject_changed(tx, rq->tenant->id, p->id);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "user.updated", p->id, json_pack("{s:O}", "fields", body));
    if (rc == PC_OK && provider != NULL &&
        (rc = pc_db_get(tx, PC_ENT_USER, rq->tenant->id, "id", p->id, &after)) == PC_OK)
        rc = pc_api_verification_issue(tx, rq, after, &spec, &token);
    rc = pc_api_finish(tx, rc);
    /* the change stands even if the queue is full: POST /me/email/verification sends again */
    if (rc == PC_OK && token != NULL &&
        pc_links_send(rq->tenant, provider, &spec, token, rq->ip) != PC_OK)
        pc_warn("the verification link of an email change could not be queued: user=%s", p->id);
    pc_free_secret(token);
    json_decref(after);
    return rc;
}

/* The tenant's email provider for a changed email (NULL when there is none); 0 after replying. */
static int link_provider(pc_req *rq, const json_t *cols, json_t **provider)
{
    const char *email = json_string_value(json_object_get(cols, "email"));
    pc_status rc;

    *provider = NULL;
    if (email == NULL)
        return 1;
    if (!pc_api_links_allowed(rq, email))
        return 0;
    rc = pc_links_provider(rq->tenant, provider);
    if (rc == PC_OK || rc == PC_ERR_NOT_FOUND)
        return 1;
    pc_api_store_error(rq, rc, NULL);
    return 0;
}

void pc_api_me_patch(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *cols = NULL, *u = NULL, *provider = NULL;
    char conflict[64] = "";
    int changed = 0;
    pc_status rc;

    if (!pc_api_authenticate_user(rq, &p, APPS_REFUSED))
        return;
    body = pc_api_body(rq, profile_fields, sizeof profile_fields / sizeof *profile_fields);
    if (body == NULL || !valid_profile(rq, body))
        goto out;
    cols = profile_columns(body, p.record, &changed);
    if (changed && !link_provider(rq, cols, &provider))
        goto out;
    rc = write_profile(rq, &p, body, cols, provider, conflict);
    if (rc == PC_OK)
        rc = pc_db_get(NULL, PC_ENT_USER, rq->tenant->id, "id", p.id, &u);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_api_reply_view(rq, 200, pc_api_user_view(u, rq->tenant->id));
out:
    json_decref(provider);
    json_decref(u);
    json_decref(cols);
    json_decref(body);
    pc_principal_clear(&p);
}

static json_t *own_session_view(const json_t *s, void *sid)
{
    const char *id = json_string_value(json_object_get(s, "id"));

    return json_pack("{s:O,s:O,s:O,s:o,s:o,s:o,s:O,s:b}", "id", json_object_get(s, "id"),
                     "client_id", json_object_get(s, "client_id"), "amr", json_object_get(s, "amr"),
                     "auth_time", pc_api_time(json_object_get(s, "auth_time")), "created_at",
                     pc_api_time(json_object_get(s, "created_at")), "expires_at",
                     pc_api_time(json_object_get(s, "expires_at")), "ip", json_object_get(s, "ip"),
                     "current", sid != NULL && id != NULL && strcmp(id, sid) == 0);
}

void pc_api_me_sessions_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor;
    json_t *filters = NULL, *rows = NULL;
    pc_store_query q;
    pc_status rc;

    if (!pc_api_authenticate_user(rq, &p, APPS_REFUSED))
        return;
    if (!pc_api_page(rq, &limit, &cursor))
        goto out;
    filters = json_pack("{s:s,s:n}", "user_id", p.id, "ended_at");
    q = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1, .descending = 1};
    rc = pc_db_list(NULL, PC_ENT_SESSION, rq->tenant->id, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, own_session_view,
                          (void *)json_string_value(json_object_get(p.claims, "sid")));
out:
    json_decref(filters);
    pc_principal_clear(&p);
}

/* DELETE /me/sessions: every session but the one of this token. */
void pc_api_me_sessions_end_others(pc_req *rq)
{
    pc_principal p = {0};
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_authenticate_user(rq, &p, APPS_REFUSED))
        return;
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_session_end_others(tx, rq->tenant, p.id,
                                   json_string_value(json_object_get(p.claims, "sid")));
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "session.ended", p.id, json_pack("{s:s}", "which", "others"));
    pc_api_finish_204(rq, tx, rc);
    pc_principal_clear(&p);
}

/* DELETE /me/sessions/{id}: one of one's own sessions; another person's is 404. */
void pc_api_me_sessions_end_one(pc_req *rq)
{
    pc_principal p = {0};
    json_t *s = NULL;
    const char *owner;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_authenticate_user(rq, &p, APPS_REFUSED))
        return;
    rc = pc_db_get(NULL, PC_ENT_SESSION, rq->tenant->id, "id", pc_req_param(rq, "id"), &s);
    owner = rc == PC_OK ? json_string_value(json_object_get(s, "user_id")) : NULL;
    if (rc == PC_OK && (owner == NULL || strcmp(owner, p.id) != 0))
        rc = PC_ERR_NOT_FOUND; /* another person's session does not exist for this caller */
    if (rc == PC_OK)
        rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_session_end(tx, rq->tenant, json_string_value(json_object_get(s, "id")));
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "session.ended", p.id,
                          json_pack("{s:O}", "session", json_object_get(s, "id")));
    pc_api_finish_204(rq, tx, rc);
    json_decref(s);
    pc_principal_clear(&p);
}
