/* SPDX-License-Identifier: Apache-2.0 */
/* Sessions: opened at sign-in, ended with every token issued in them. */
#include "oauth2/session.h"
#include "oauth2/changes.h"
#include "server/store.h"
#include "util/crypto.h"

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
    }
    json_decref(ended);
    if (rc == PC_OK)
        rc = PC_DB->refresh_revoke(PC_DBS, tx, t->id, "user_id", user_id, now, NULL);
    return rc;
}
