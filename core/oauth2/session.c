/* SPDX-License-Identifier: Apache-2.0 */
/* Sessions: opened at sign-in, ended with every token issued in them. */
#include "oauth2/session.h"
#include "oauth2/changes.h"
#include "oidc/backchannel.h"
#include "server/store.h"
#include "util/crypto.h"

#include <stdio.h>
#include <string.h>

pc_status pc_session_open(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                          const char *client_id, const json_t *amr, int64_t auth_time,
                          const char *ip, char sid[37])
{
    return pc_session_open_secret(tx, t, user_id, client_id, amr, auth_time, ip, NULL, sid);
}

pc_status pc_session_open_secret(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                                 const char *client_id, const json_t *amr, int64_t auth_time,
                                 const char *ip, const char *secret_hash, char sid[37])
{
    int64_t now = pc_now();
    json_t *rec;
    pc_status rc;

    pc_uuid7(sid);
    rec = json_pack("{s:s,s:s,s:s,s:s?,s:O,s:I,s:I,s:I,s:n,s:s?,s:s?}", "id", sid, "tenant_id",
                    t->id, "user_id", user_id, "client_id", client_id, "amr", amr, "auth_time",
                    (json_int_t)auth_time, "created_at", (json_int_t)now, "expires_at",
                    (json_int_t)(now + t->session_ttl), "ended_at", "ip", ip, "secret_hash",
                    secret_hash);
    rc = pc_db_insert(tx, PC_ENT_SESSION, rec, NULL, 0);
    json_decref(rec);
    return rc;
}

pc_status pc_session_end(pc_store_tx *tx, const pc_tenant *t, const char *sid)
{
    int64_t now = pc_now();
    json_t *patch = json_pack("{s:I}", "ended_at", (json_int_t)now);
    pc_status rc = pc_db_update(tx, PC_ENT_SESSION, t->id, sid, patch, NULL, 0);

    json_decref(patch);
    if (rc == PC_ERR_NOT_FOUND)
        return PC_OK;
    /* Access tokens carry the sid: one feed entry cuts them all, for at most access_ttl. */
    if (rc == PC_OK)
        rc = pc_change_write(tx, t->id, "sid", sid, now + t->access_ttl + 60);
    if (rc == PC_OK)
        rc = PC_DB->refresh_revoke(PC_DBS, tx, t->id, "sid", sid, now, NULL);
    if (rc == PC_OK) /* OIDC Back-Channel Logout 1.0 (issue #18) */
        rc = pc_backchannel_session_ended(tx, t, sid);
    return rc;
}

pc_status pc_session_end_all(pc_store_tx *tx, const pc_tenant *t, const char *user_id)
{
    int64_t now = pc_now();
    json_t *ended = NULL, *sid;
    size_t i;
    pc_status rc = PC_DB->sessions_end(PC_DBS, tx, t->id, user_id, now, &ended);

    /* A session's tokens live at most access_ttl past its end. */
    json_array_foreach (ended, i, sid) {
        if (rc == PC_OK)
            rc =
                pc_change_write(tx, t->id, "sid", json_string_value(sid), now + t->access_ttl + 60);
        if (rc == PC_OK) /* OIDC Back-Channel Logout 1.0 (issue #18) */
            rc = pc_backchannel_session_ended(tx, t, json_string_value(sid));
    }
    json_decref(ended);
    if (rc == PC_OK)
        rc = PC_DB->refresh_revoke(PC_DBS, tx, t->id, "user_id", user_id, now, NULL);
    return rc;
}

/* Open sessions of a user are read a page at a time, inside the transaction. */
#define END_PAGE 200

pc_status pc_session_end_others(pc_store_tx *tx, const pc_tenant *t, const char *user_id,
                                const char *keep_sid)
{
    json_t *filters = json_pack("{s:s,s:n}", "user_id", user_id, "ended_at"), *rows = NULL, *s;
    pc_store_query q = {.filters = filters, .limit = END_PAGE};
    char after[40] = "";
    size_t i, n;
    pc_status rc;

    do {
        q.after = after[0] ? after : NULL;
        rc = pc_db_list(tx, PC_ENT_SESSION, t->id, &q, &rows);
        n = rc == PC_OK ? json_array_size(rows) : 0;
        json_array_foreach (rows, i, s) {
            const char *sid = json_string_value(json_object_get(s, "id"));
            snprintf(after, sizeof after, "%s", sid);
            if (rc == PC_OK && (keep_sid == NULL || strcmp(sid, keep_sid) != 0))
                rc = pc_session_end(tx, t, sid);
        }
        json_decref(rows);
        rows = NULL;
    } while (rc == PC_OK && n == END_PAGE);
    json_decref(filters);
    return rc;
}

int pc_session_usable(const json_t *s, int64_t now)
{
    int64_t idle = pc_srv->cfg.session_idle_ttl;
    json_t *last = json_object_get(s, "last_used");
    int64_t used = json_is_integer(last) ? json_integer_value(last)
                                         : json_integer_value(json_object_get(s, "created_at"));

    if (!json_is_null(json_object_get(s, "ended_at")) ||
        json_integer_value(json_object_get(s, "expires_at")) <= now)
        return 0;
    if (idle > 0 && used + idle <= now)
        return 0;
    return !pc_changes_sid_ended(json_string_value(json_object_get(s, "id")));
}

#define TOUCH_EVERY 60

pc_status pc_session_touch(const pc_tenant *t, const json_t *s, int64_t now)
{
    json_t *last = json_object_get(s, "last_used"), *patch;
    pc_status rc;

    if (json_is_integer(last) && json_integer_value(last) + TOUCH_EVERY > now)
        return PC_OK;
    patch = json_pack("{s:I}", "last_used", (json_int_t)now);
    rc = pc_db_update(NULL, PC_ENT_SESSION, t->id, json_string_value(json_object_get(s, "id")),
                      patch, NULL, 0);
    json_decref(patch);
    return rc == PC_ERR_NOT_FOUND ? PC_OK : rc;
}

pc_status pc_session_use(const pc_tenant *t, const char *sid, json_t **s)
{
    int64_t now = pc_now();
    json_t *rec = NULL;
    pc_status rc;

    *s = NULL;
    if (pc_changes_sid_ended(sid))
        return PC_ERR_NOT_FOUND;
    rc = pc_db_get(NULL, PC_ENT_SESSION, t->id, "id", sid, &rec);
    if (rc == PC_OK && !pc_session_usable(rec, now))
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        rc = pc_session_touch(t, rec, now);
    if (rc != PC_OK) {
        json_decref(rec);
        return rc == PC_ERR_NOT_FOUND ? rc : PC_ERR_STORAGE;
    }
    *s = rec;
    return PC_OK;
}
