/* SPDX-License-Identifier: Apache-2.0 */
/* /me: the caller's own profile, permissions and password. */
#include "api/user_values.h"
#include "api/users.h"
#include "iam/audit.h"
#include "iam/links.h"
#include "oauth2/session.h"
#include "oauth2/throttle.h"
#include "server/store.h"
#include "util/password.h"

#include <stdio.h>
#include <stdlib.h>

void pc_api_me_get(pc_req *rq)
{
    pc_principal p = {0};
    const json_t *r;
    json_t *me, *groups = NULL, *roles = NULL;
    pc_status rc;

    if (!pc_api_authenticate(rq, &p))
        return;
    r = p.record;
    /* A store that cannot list them is 503, never an empty list */
    rc = p.is_user ? pc_iam_group_names_get(rq->tenant->id, p.id, &groups) : PC_OK;
    if (groups == NULL)
        groups = json_array();
    if (rc == PC_OK)
        rc = pc_iam_effective_roles_get(rq->tenant->id, p.id, &roles);
    if (rc != PC_OK) {
        json_decref(groups);
        json_decref(roles);
        pc_api_store_error(rq, rc, NULL);
        pc_principal_clear(&p);
        return;
    }
    me = json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", p.id, "kind", p.is_user ? "user" : "application",
                   "tenant", rq->tenant->slug, "groups", groups, "roles", roles);
    if (p.is_user) {
        json_object_set(me, "username", json_object_get(r, "username"));
        json_object_set(me, "email", json_object_get(r, "email"));
        json_object_set(me, "name", json_object_get(r, "name"));
    } else {
        json_object_set(me, "client_id", json_object_get(r, "client_id"));
        json_object_set(me, "name", json_object_get(r, "name"));
    }
    pc_reply_json(rq, 200, me);
    pc_principal_clear(&p);
}

void pc_api_me_permissions(pc_req *rq)
{
    pc_principal p = {0};

    if (!pc_api_authenticate(rq, &p))
        return;
    /* API.md §18: in an organization-scoped token, the membership's roles count too. */
    pc_api_reply_permissions_in(rq, p.id, pc_principal_org(&p));
    pc_principal_clear(&p);
}

static const pc_field password_fields[] = {{"current_password", PC_F_STRING, 1},
                                           {"new_password", PC_F_STRING, 1}};

/*
 * A new password ends every other session of the user with its tokens (in
 * the same transaction, through the change feed): whoever knew the old one
 * is signed out. The session of the token making the change goes on.
 */
static pc_status store_password(pc_req *rq, const pc_principal *p, const char *hash)
{
    const char *sid = json_string_value(json_object_get(p->claims, "sid"));
    json_t *patch =
        json_pack("{s:s,s:I}", "password_hash", hash, "updated_at", (json_int_t)pc_now());
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, p->id, patch, NULL, 0);
    if (rc == PC_OK)
        rc = pc_session_end_others(tx, rq->tenant, p->id, sid);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "user.password_changed", p->id, NULL);
    json_decref(patch);
    return pc_api_finish(tx, rc);
}

/*
 * The current password is checked under the sign-in throttle of the same
 * account: a stolen access token must not become an unlimited password oracle.
 */
static int password_throttled(pc_req *rq, const pc_principal *p, char *key, size_t len)
{
    int64_t retry = 0;
    char header[24];

    snprintf(key, len, "user:%s:%s", rq->tenant->id, p->id);
    if (pc_throttle_check(key, pc_srv->cfg.limit_account, &retry) == PC_OK)
        return 0;
    snprintf(header, sizeof header, "%lld", (long long)(retry > 0 ? retry : 1));
    pc_reply_header(rq, "Retry-After", header);
    pc_api_error(rq, PC_API_RATE_LIMITED, "Too many wrong passwords; retry later", NULL);
    return 1;
}

static void wrong_password(pc_req *rq, const pc_principal *p, const char *key)
{
    pc_throttle_fail(key, pc_srv->cfg.limit_account);
    pc_audit_record(NULL, rq->tenant->id, "password.change_failed", p->id, p->id, rq->ip, NULL);
    pc_api_error(rq, PC_API_WRONG_PASSWORD, "The current password is wrong",
                 json_pack("{s:s}", "current_password", "wrong"));
}

void pc_api_me_password(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL;
    const char *cur, *next, *problem;
    char *hash = NULL, key[200];
    pc_status rc;

    if (!pc_api_authenticate(rq, &p))
        return;
    if (!p.is_user) {
        pc_api_error(rq, PC_API_FORBIDDEN, "Applications have no password", NULL);
        goto out;
    }
    body = pc_api_body(rq, password_fields, 2);
    if (body == NULL)
        goto out;
    if (password_throttled(rq, &p, key, sizeof key))
        goto out;
    cur = json_string_value(json_object_get(body, "current_password"));
    next = json_string_value(json_object_get(body, "new_password"));
    if (pc_password_verify(json_string_value(json_object_get(p.record, "password_hash")), cur) !=
        PC_OK) {
        wrong_password(rq, &p, key);
        goto out;
    }
    if ((problem = pc_api_password_problem(rq->tenant, next)) != NULL) {
        pc_api_invalid_field(rq, "new_password", problem);
        goto out;
    }
    rc = pc_password_hash(next, &hash) == PC_OK ? store_password(rq, &p, hash) : PC_ERR_CRYPTO;
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_reply_empty(rq, 204);
out:
    free(hash);
    json_decref(body);
    pc_principal_clear(&p);
}
