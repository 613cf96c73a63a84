/* SPDX-License-Identifier: Apache-2.0 */
/* /invitations and their acceptance (API.md §12): an emailed link to choose one's own password. */
#include "api/escalation.h"
#include "api/links.h"
#include "api/resource.h"
#include "api/user_values.h"
#include "api/users.h"
#include "iam/users.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* pending, accepted, revoked, or expired (pending past expires_at, with no write). */
static const char *status_of(const json_t *inv)
{
    const char *s = json_string_value(json_object_get(inv, "status"));

    if (s != NULL && strcmp(s, "pending") == 0 &&
        json_integer_value(json_object_get(inv, "expires_at")) <= pc_now())
        return "expired";
    return s ? s : "pending";
}

static json_t *invitation_view(const json_t *inv, void *tenant_id)
{
    (void)tenant_id;
    return json_pack("{s:O,s:O,s:O?,s:O,s:O,s:s,s:o,s:o}", "id", json_object_get(inv, "id"),
                     "email", json_object_get(inv, "email"), "name", json_object_get(inv, "name"),
                     "roles", json_object_get(inv, "roles"), "groups",
                     json_object_get(inv, "groups"), "status", status_of(inv), "expires_at",
                     pc_api_time(json_object_get(inv, "expires_at")), "created_at",
                     pc_api_time(json_object_get(inv, "created_at")));
}

static const pc_field invite_fields[] = {{"email", PC_F_STRING, 1},
                                         {"roles", PC_F_STRINGS, 0},
                                         {"groups", PC_F_STRINGS, 0},
                                         {"name", PC_F_NULLABLE_STRING, 0}};

/* Every role and group name exists; else 400 naming them. */
static int names_exist(pc_req *rq, const json_t *body)
{
    static const struct {
        const char *field;
        pc_entity ent;
    } lists[] = {{"roles", PC_ENT_ROLE}, {"groups", PC_ENT_GROUP}};
    json_t *unknown = json_object(), *v, *rec;
    char key[160];
    size_t i;

    for (size_t l = 0; l < 2; l++)
        json_array_foreach (json_object_get(body, lists[l].field), i, v) {
            rec = NULL;
            if (pc_db_get(NULL, lists[l].ent, rq->tenant->id, "name", json_string_value(v), &rec) !=
                PC_OK) {
                snprintf(key, sizeof key, "%s[%zu]", lists[l].field, i);
                json_object_set_new(unknown, key, json_string("unknown"));
            }
            json_decref(rec);
        }
    if (json_object_size(unknown) == 0) {
        json_decref(unknown);
        return 1;
    }
    pc_api_error(rq, PC_API_INVALID, "Unknown role or group names", unknown);
    return 0;
}

/* No user has this email, and no invitation for it is pending: else 409. */
static int email_free(pc_req *rq, const char *email)
{
    json_t *u = NULL,
           *filters = json_pack("{s:s,s:I}", "email", email, "pending_at", (json_int_t)pc_now()),
           *rows = NULL;
    pc_store_query q = {.filters = filters, .limit = 1};
    pc_status rc = pc_db_get(NULL, PC_ENT_USER, rq->tenant->id, "email", email, &u);

    if (rc == PC_ERR_NOT_FOUND)
        rc = pc_db_list(NULL, PC_ENT_INVITATION, rq->tenant->id, &q, &rows);
    if (rc == PC_OK && (u != NULL || json_array_size(rows) > 0))
        rc = PC_ERR_CONFLICT;
    json_decref(u);
    json_decref(rows);
    json_decref(filters);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, "email");
    return rc == PC_OK;
}

static json_t *invitation_record(pc_req *rq, const pc_principal *p, const json_t *body,
                                 const char *email)
{
    char id[37];
    json_int_t now = pc_now();
    json_t *roles = json_object_get(body, "roles"), *groups = json_object_get(body, "groups");

    pc_uuid7(id);
    return json_pack("{s:s,s:s,s:s,s:O?,s:O,s:O,s:s,s:s?,s:I,s:I,s:I}", "id", id, "tenant_id",
                     rq->tenant->id, "email", email, "name", json_object_get(body, "name"), "roles",
                     roles ? roles : json_array(), "groups", groups ? groups : json_array(),
                     "status", "pending", "invited_by", pc_principal_actor(p), "created_at", now,
                     "expires_at", now + rq->tenant->invitation_ttl, "updated_at", now);
}

static pc_status invite(pc_req *rq, const pc_principal *p, const json_t *inv, pc_link_spec *spec,
                        char **token)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    *spec = (pc_link_spec){.kind = PC_LINK_INVITE,
                           .invitation_id = json_string_value(json_object_get(inv, "id")),
                           .email = json_string_value(json_object_get(inv, "email")),
                           .ttl = rq->tenant->invitation_ttl};
    if (rc == PC_OK)
        rc = pc_db_insert(tx, PC_ENT_INVITATION, inv, NULL, 0);
    if (rc == PC_OK)
        rc = pc_links_issue(tx, rq->tenant, spec, token);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, p, "invitation.created", spec->invitation_id,
                          json_pack("{s:s}", "email", spec->email));
    return pc_api_finish(tx, rc);
}

/* Checks before anything is written: values, names, escalation, room, no duplicate. */
static int may_invite(pc_req *rq, const pc_principal *p, const json_t *body, const char *email)
{
    const char *name = json_string_value(json_object_get(body, "name"));

    if (!pc_api_user_email_valid(email)) {
        pc_api_invalid_field(rq, "email", "must be an email address");
        return 0;
    }
    if (name != NULL && strlen(name) > 256) {
        pc_api_invalid_field(rq, "name", "must be at most 256 characters");
        return 0;
    }
    return names_exist(rq, body) && pc_api_may_grant_roles(rq, p, json_object_get(body, "roles")) &&
           pc_api_may_grant_groups(rq, p, json_object_get(body, "groups")) &&
           pc_api_user_room(rq) && email_free(rq, email);
}

void pc_api_invitations_create(pc_req *rq)
{
    pc_principal p = {0};
    json_t *body = NULL, *inv = NULL, *provider = NULL;
    char *email = NULL, *token = NULL;
    pc_link_spec spec;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "create") ||
        (body = pc_api_body(rq, invite_fields, 4)) == NULL)
        goto out;
    email = pc_iam_email_normal(json_string_value(json_object_get(body, "email")));
    if (!may_invite(rq, &p, body, email) || !pc_api_links_allowed(rq, email) ||
        (provider = pc_api_links_provider(rq)) == NULL)
        goto out;
    inv = invitation_record(rq, &p, body, email);
    rc = invite(rq, &p, inv, &spec, &token);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (pc_api_links_send(rq, provider, &spec, token))
        pc_reply_json(rq, 201, invitation_view(inv, NULL));
    else /* nothing half-created: without its message the invitation goes */
        pc_db_remove(NULL, PC_ENT_INVITATION, rq->tenant->id, spec.invitation_id);
out:
    pc_free_secret(token);
    free(email);
    json_decref(provider);
    json_decref(inv);
    json_decref(body);
    pc_principal_clear(&p);
}

void pc_api_invitations_list(pc_req *rq)
{
    pc_principal p = {0};
    unsigned limit;
    const char *cursor, *status = pc_req_param(rq, "status");
    json_t *filters = json_object(), *rows = NULL;
    pc_store_query q;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "read") || !pc_api_page(rq, &limit, &cursor))
        goto out;
    if (status != NULL && strcmp(status, "pending") == 0)
        json_object_set_new(filters, "pending_at", json_integer(pc_now()));
    else if (status != NULL && strcmp(status, "expired") == 0)
        json_object_set_new(filters, "expired_at", json_integer(pc_now()));
    else if (status != NULL && (strcmp(status, "accepted") == 0 || strcmp(status, "revoked") == 0))
        json_object_set_new(filters, "status", json_string(status));
    else if (status != NULL) {
        pc_api_invalid_field(rq, "status", "must be pending, accepted, revoked or expired");
        goto out;
    }
    q = (pc_store_query){.filters = filters, .after = cursor, .limit = limit + 1};
    rc = pc_db_list(NULL, PC_ENT_INVITATION, rq->tenant->id, &q, &rows);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else
        pc_api_reply_page(rq, rows, limit, invitation_view, NULL);
out:
    json_decref(filters);
    pc_principal_clear(&p);
}

void pc_api_invitations_get(pc_req *rq)
{
    pc_api_get_one(rq, PC_ENT_INVITATION, "users", invitation_view);
}

void pc_api_invitations_revoke(pc_req *rq)
{
    pc_principal p = {0};
    json_t *inv = NULL, *cols = NULL;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (!pc_api_require(rq, &p, "users", "delete") ||
        (inv = pc_api_load(rq, PC_ENT_INVITATION)) == NULL)
        goto out;
    if (strcmp(status_of(inv), "pending") != 0) {
        pc_api_error(rq, PC_API_CONFLICT, "Only a pending invitation can be revoked", NULL);
        goto out;
    }
    cols = json_pack("{s:s,s:I}", "status", "revoked", "updated_at", (json_int_t)pc_now());
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_INVITATION, rq->tenant->id,
                          json_string_value(json_object_get(inv, "id")), cols, NULL, 0);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &p, "invitation.revoked",
                          json_string_value(json_object_get(inv, "id")), NULL);
    pc_api_finish_204(rq, tx, rc);
out:
    json_decref(cols);
    json_decref(inv);
    pc_principal_clear(&p);
}
