/* SPDX-License-Identifier: Apache-2.0 */
/* Who is calling the management API, and may they do this? */
#include "api/api.h"
#include "iam/app_cache.h"
#include "iam/permcache.h"
#include "iam/permissions.h"
#include "oidc/claims.h"
#include "http/dpop.h"
#include "server/store.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

void pc_principal_clear(pc_principal *p)
{
    json_decref(p->claims);
    json_decref(p->record);
    json_decref(p->permissions);
    memset(p, 0, sizeof *p);
}

const char *pc_principal_actor(const pc_principal *p)
{
    return json_string_value(json_object_get(p->record, p->is_user ? "id" : "client_id"));
}

/*
 * The user or application a verified token speaks for: PC_OK, PC_ERR_NOT_FOUND
 * if it no longer exists, or PC_ERR_STORAGE when the store cannot tell. An
 * application comes from the application cache (dropped on every node when it
 * changes): its record is shared and read-only.
 */
static pc_status load_principal(const pc_tenant *t, pc_principal *p)
{
    const char *sub = json_string_value(json_object_get(p->claims, "sub"));
    pc_status rc;

    p->is_user = json_object_get(p->claims, "sid") != NULL;
    if (p->is_user)
        rc = pc_db_get(NULL, PC_ENT_USER, t->id, "id", sub, &p->record);
    else
        rc = pc_app_cache_get(t->id, sub, &p->record);
    if (rc == PC_OK && p->is_user && !json_is_null(json_object_get(p->record, "deleted_at")))
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        p->id = json_string_value(json_object_get(p->record, "id"));
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
}

/*
 * RFC 9068 §4: a resource server accepts only tokens meant for it. The
 * management API is the tenant's default audience; a token minted for
 * another resource (RFC 8707) is not for it.
 */
static int meant_for_api(const pc_tenant *t, const json_t *claims)
{
    const char *aud = json_string_value(json_object_get(claims, "aud"));

    return aud != NULL && strcmp(aud, t->audience) == 0;
}

/*
 * A user's token lets the management API act with the user's permissions
 * only when a first-party application holds it, or when the person consented
 * to the scope portcullis:manage for an application still allowed that scope:
 * a third-party application a user signed in to must not otherwise wield the
 * user's administrative rights.
 * PC_ERR_DENIED when it may not, PC_ERR_STORAGE when the store cannot tell.
 */
pc_status pc_api_holder_may_act_for_user(const pc_tenant *t, const json_t *claims)
{
    json_t *app = NULL;
    pc_status rc;

    if (json_object_get(claims, "sid") == NULL)
        return PC_OK; /* an application's own token */
    rc = pc_app_cache_get(t->id, json_string_value(json_object_get(claims, "client_id")), &app);
    if (rc == PC_OK && !json_is_true(json_object_get(app, "first_party")) &&
        !(pc_scope_has(json_string_value(json_object_get(claims, "scope")), PC_SCOPE_MANAGE) &&
          pc_json_has_string(json_object_get(app, "scopes"), PC_SCOPE_MANAGE)))
        rc = PC_ERR_DENIED;
    json_decref(app);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_DENIED;
}

static int refuse(pc_req *rq, pc_principal *p, pc_api_code code, const char *message)
{
    pc_principal_clear(p);
    pc_api_error(rq, code, message, NULL);
    return 0;
}

/* A store that cannot answer is never taken for a bad token (AUT-0020, not AUT-0007). */
static int unavailable(pc_req *rq, pc_principal *p)
{
    pc_principal_clear(p);
    pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
    return 0;
}

int pc_api_authenticate(pc_req *rq, pc_principal *p)
{
    int dpop_scheme = 0;
    const char *token = pc_req_access_token(rq, &dpop_scheme), *error, *why = NULL;
    pc_status rc;

    memset(p, 0, sizeof *p);
    if (token == NULL)
        return refuse(rq, p, PC_API_NO_TOKEN, "A bearer access token is required");
    /* RFC 9449 §7 (issue #18): a DPoP-bound token only with a proof of its key */
    rc = pc_http_access_accept(rq, token, dpop_scheme, &p->claims, &error, &why);
    if (rc == PC_DECLINED || (rc == PC_ERR_DENIED && why != NULL))
        return refuse(rq, p, PC_API_BAD_TOKEN, why);
    if (rc == PC_OK && !meant_for_api(rq->tenant, p->claims))
        rc = PC_ERR_DENIED;
    if (rc == PC_OK)
        rc = load_principal(rq->tenant, p);
    if (rc == PC_ERR_STORAGE)
        return unavailable(rq, p);
    if (rc != PC_OK)
        return refuse(rq, p, PC_API_BAD_TOKEN,
                      "The access token is expired, revoked, malformed, of another tenant or for "
                      "another audience");
    rc = pc_api_holder_may_act_for_user(rq->tenant, p->claims);
    if (rc == PC_ERR_STORAGE)
        return unavailable(rq, p);
    if (rc != PC_OK)
        return refuse(rq, p, PC_API_FORBIDDEN,
                      "Tokens held by third-party applications cannot use the management API "
                      "without the scope " PC_SCOPE_MANAGE);
    return 1;
}

int pc_api_authenticate_user(pc_req *rq, pc_principal *p, const char *refusal)
{
    if (!pc_api_authenticate(rq, p))
        return 0;
    if (p->is_user)
        return 1;
    pc_api_error(rq, PC_API_FORBIDDEN, refusal, NULL);
    pc_principal_clear(p);
    return 0;
}

void pc_api_reply_permissions(pc_req *rq, const char *principal_id)
{
    pc_api_reply_permissions_in(rq, principal_id, NULL);
}

const char *pc_principal_org(const pc_principal *p)
{
    return json_string_value(json_object_get(p->claims, "org_id"));
}

void pc_api_reply_permissions_in(pc_req *rq, const char *principal_id, const char *org_id)
{
    json_t *perms = pc_permcache_list_in(rq->tenant->id, principal_id, org_id);

    if (perms == NULL)
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
    else
        pc_reply_json(rq, 200, json_pack("{s:o}", "permissions", perms));
}

int pc_api_require(pc_req *rq, pc_principal *p, const char *resource, const char *action)
{
    char message[128];
    int allowed = 0;
    pc_status rc;

    if (!pc_api_authenticate(rq, p))
        return 0;
    /* API.md §18: an organization-scoped token also holds the membership's roles. */
    rc = pc_permcache_check_in(rq->tenant->id, p->id, pc_principal_org(p), resource, action,
                               &allowed);
    if (rc != PC_OK) {
        pc_principal_clear(p);
        pc_api_store_error(rq, rc == PC_ERR_STORAGE ? rc : PC_ERR_INTERNAL, NULL);
        return 0;
    }
    if (allowed) /* API.md §16: some permissions need a fresh second factor */
        return pc_api_step_up(rq, p, resource, action);
    snprintf(message, sizeof message, "Permission %s:%s is required", resource, action);
    pc_api_error(rq, PC_API_FORBIDDEN, message, NULL);
    pc_principal_clear(p);
    return 0;
}
