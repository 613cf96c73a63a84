/* SPDX-License-Identifier: Apache-2.0 */
/* New users by themselves (API.md §12): accepting an invitation, and registration where it is open. */
#include "api/links.h"
#include "api/orgs_api.h"
#include "api/user_values.h"
#include "api/users.h"
#include "iam/users.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"
#include "util/password.h"

#include <stdlib.h>
#include <string.h>

/* A new user's record from what the person chose; *hash set. NULL after replying 400. */
static json_t *self_record(pc_req *rq, const json_t *body, const char *email, int verified)
{
    const char *pw = json_string_value(json_object_get(body, "password")), *problem;
    const char *username = json_string_value(json_object_get(body, "username"));
    json_t *check = json_pack("{s:s,s:s,s:O?}", "username", username ? username : email, "email",
                              email, "name", json_object_get(body, "name"));
    json_t *rec = NULL;
    char id[37], *hash = NULL;

    if ((problem = pc_api_password_problem(rq->tenant, pw)) != NULL)
        pc_api_invalid_field(rq, "password", problem);
    else if ((rec = pc_api_user_columns(rq, check)) != NULL && pc_password_hash(pw, &hash) != PC_OK)
        pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
    json_decref(check);
    if (rec == NULL || hash == NULL) {
        json_decref(rec);
        return NULL;
    }
    pc_uuid7(id);
    json_object_update_new(rec, json_pack("{s:s,s:s,s:s,s:s,s:b,s:{},s:I,s:I,s:n}", "id", id,
                                          "tenant_id", rq->tenant->id, "password_hash", hash,
                                          "status", "active", "email_verified", verified,
                                          "attributes", "created_at", (json_int_t)pc_now(),
                                          "updated_at", (json_int_t)pc_now(), "deleted_at"));
    free(hash);
    return rec;
}

/* The new user acts for themselves in the audit log. */
static pc_principal self_of(const json_t *rec)
{
    pc_principal self = {0};

    self.record = json_pack("{s:O}", "id", json_object_get(rec, "id"));
    self.is_user = 1;
    return self;
}

static const pc_field accept_fields[] = {{"token", PC_F_STRING, 1},
                                         {"username", PC_F_STRING, 0},
                                         {"password", PC_F_STRING, 1},
                                         {"confirm_password", PC_F_STRING, 1},
                                         {"name", PC_F_NULLABLE_STRING, 0}};

/* The pending invitation of a token, without using it yet; NULL after replying. */
static json_t *pending_invitation(pc_req *rq, const char *token)
{
    char *id = token ? pc_sha256_hex(token) : NULL;
    json_t *link = NULL, *inv = NULL;
    pc_status rc =
        id ? pc_db_get(NULL, PC_ENT_LINK_TOKEN, rq->tenant->id, "id", id, &link) : PC_ERR_NOT_FOUND;

    if (rc == PC_OK)
        rc = pc_db_get(NULL, PC_ENT_INVITATION, rq->tenant->id, "id",
                       json_string_value(json_object_get(link, "invitation_id")), &inv);
    /* A revoked, accepted or expired invitation's token is spent (API.md §12). */
    if (rc == PC_OK && (strcmp(json_string_value(json_object_get(inv, "status")), "pending") != 0 ||
                        json_integer_value(json_object_get(inv, "expires_at")) <= pc_now()))
        rc = PC_ERR_NOT_FOUND;
    free(id);
    json_decref(link);
    if (rc != PC_OK) {
        json_decref(inv);
        pc_api_links_bad_token(rq, rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND);
        return NULL;
    }
    return inv;
}

/* Create the invited user with the invitation's roles and groups; the token used in `tx`. */
static pc_status accept(pc_req *rq, const char *token, const json_t *inv, json_t *rec,
                        char *conflict, json_t **unknown)
{
    pc_principal self = self_of(rec);
    json_t *link = NULL, *names = json_pack("{s:O,s:O}", "roles", json_object_get(inv, "roles"),
                                            "groups", json_object_get(inv, "groups"));
    json_t *cols = json_pack("{s:s,s:O,s:I}", "status", "accepted", "user_id",
                             json_object_get(rec, "id"), "updated_at", (json_int_t)pc_now());
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_links_take(tx, rq->tenant, PC_LINK_INVITE, token, &link);
    if (rc == PC_OK)
        rc = pc_api_user_insert(tx, rq, &self, names, rec, conflict, unknown);
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_INVITATION, rq->tenant->id,
                          json_string_value(json_object_get(inv, "id")), cols, NULL, 0);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &self, "invitation.accepted",
                          json_string_value(json_object_get(inv, "id")),
                          json_pack("{s:O}", "user_id", json_object_get(rec, "id")));
    json_decref(cols);
    json_decref(names);
    json_decref(link);
    pc_principal_clear(&self);
    return pc_api_finish(tx, rc);
}

void pc_api_invitations_accept(pc_req *rq)
{
    json_t *body = pc_api_body(rq, accept_fields, 5), *inv = NULL, *rec = NULL, *unknown = NULL;
    const char *pw = json_string_value(json_object_get(body, "password"));
    char conflict[64] = "";
    pc_status rc;

    if (body == NULL || !pc_api_links_allowed(rq, NULL))
        goto out;
    if (strcmp(pw, json_string_value(json_object_get(body, "confirm_password"))) != 0) {
        pc_api_invalid_field(rq, "confirm_password", "differs from password");
        goto out;
    }
    if ((inv = pending_invitation(rq, json_string_value(json_object_get(body, "token")))) == NULL ||
        (rec = self_record(rq, body, json_string_value(json_object_get(inv, "email")), 1)) ==
            NULL ||
        !pc_api_user_room(rq))
        goto out;
    rc =
        accept(rq, json_string_value(json_object_get(body, "token")), inv, rec, conflict, &unknown);
    if (rc == PC_ERR_NOT_FOUND)
        pc_api_links_bad_token(rq, rc);
    else if (rc == PC_ERR_INVALID && unknown != NULL)
        pc_api_error(rq, PC_API_CONFLICT, "A role or group of the invitation no longer exists",
                     json_incref(unknown));
    else if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else
        pc_api_reply_view(rq, 201, pc_api_user_view(rec, rq->tenant->id));
out:
    json_decref(unknown);
    json_decref(rec);
    json_decref(inv);
    json_decref(body);
}

static const pc_field register_fields[] = {{"email", PC_F_STRING, 1},
                                           {"password", PC_F_STRING, 1},
                                           {"username", PC_F_STRING, 0},
                                           {"name", PC_F_NULLABLE_STRING, 0},
                                           {"organization", PC_F_OBJECT, 0}};

/* The user, their organization (API.md §18) and the verification link in one transaction. */
static pc_status sign_up(pc_req *rq, json_t *rec, const json_t *org, char *conflict,
                         pc_link_spec *spec, char **token)
{
    pc_principal self = self_of(rec);
    json_t *none = json_object();
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = pc_api_user_insert(tx, rq, &self, none, rec, conflict, NULL);
    if (rc == PC_OK)
        rc = pc_api_audit(tx, rq, &self, "user.registered",
                          json_string_value(json_object_get(rec, "id")), NULL);
    if (rc == PC_OK && org != NULL)
        rc = pc_api_org_register_create(
            tx, rq, &self, json_string_value(json_object_get(rec, "id")), org, conflict, 64);
    if (rc == PC_OK)
        rc = pc_api_verification_issue(tx, rq, rec, spec, token);
    json_decref(none);
    pc_principal_clear(&self);
    return pc_api_finish(tx, rc);
}

void pc_api_register(pc_req *rq)
{
    json_t *body = NULL, *rec = NULL, *provider = NULL;
    char *email = NULL, *token = NULL, conflict[64] = "";
    pc_link_spec spec;
    pc_status rc;

    if (!rq->tenant->registration_open) {
        pc_api_error(rq, PC_API_NOT_FOUND, "Registration is closed in this tenant", NULL);
        return;
    }
    if ((body = pc_api_body(rq, register_fields, 5)) == NULL ||
        !pc_api_org_register_check(rq, json_object_get(body, "organization"))) {
        json_decref(body);
        return;
    }
    email = pc_iam_email_normal(json_string_value(json_object_get(body, "email")));
    if (!pc_api_links_allowed(rq, email) || (rec = self_record(rq, body, email, 0)) == NULL ||
        !pc_api_user_room(rq) || (provider = pc_api_links_provider(rq)) == NULL)
        goto out;
    rc = sign_up(rq, rec, json_object_get(body, "organization"), conflict, &spec, &token);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, conflict);
    else {
        /* The account exists; a message that cannot be queued can be asked for again. */
        pc_links_send(rq->tenant, provider, &spec, token, rq->ip);
        pc_api_reply_view(rq, 201, pc_api_user_view(rec, rq->tenant->id));
    }
out:
    pc_free_secret(token);
    free(email);
    json_decref(provider);
    json_decref(rec);
    json_decref(body);
}
