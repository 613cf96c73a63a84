/* SPDX-License-Identifier: Apache-2.0 */
/* Password reset and email verification by link (API.md §12), and what the link endpoints share. */
#include "api/links.h"
#include "api/escalation.h"
#include "api/user_values.h"
#include "api/users.h"
#include "iam/audit.h"
#include "iam/users.h"
#include "oauth2/session.h"
#include "oauth2/throttle.h"
#include "server/store.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/password.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per window (PORTCULLIS_LIMIT_WINDOW): an address may make 20 calls a minute. */
#define PER_TARGET 5

int pc_api_links_allowed(pc_req *rq, const char *target)
{
    char key[400], retry_text[24];
    int64_t retry = 0, per_address = 20 * (pc_srv->cfg.limit_window / 60 + 1);
    char *folded = pc_iam_email_normal(target);
    pc_status rc;

    snprintf(key, sizeof key, "links:addr:%s", rq->ip);
    rc = pc_throttle_check(key, per_address, &retry);
    if (rc == PC_OK)
        pc_throttle_fail(key, per_address);
    if (rc == PC_OK && folded != NULL) {
        snprintf(key, sizeof key, "links:to:%s:%s", rq->tenant->id, folded);
        if ((rc = pc_throttle_check(key, PER_TARGET, &retry)) == PC_OK)
            pc_throttle_fail(key, PER_TARGET);
    }
    free(folded);
    if (rc == PC_OK)
        return 1;
    snprintf(retry_text, sizeof retry_text, "%lld", (long long)(retry > 0 ? retry : 1));
    pc_reply_header(rq, "Retry-After", retry_text);
    pc_api_error(rq, PC_API_RATE_LIMITED, "Too many requests; retry later", NULL);
    return 0;
}

json_t *pc_api_links_provider(pc_req *rq)
{
    json_t *provider = NULL;
    pc_status rc = pc_links_provider(rq->tenant, &provider);

    if (rc == PC_OK)
        return provider;
    if (rc == PC_ERR_NOT_FOUND)
        pc_api_error(rq, PC_API_DELIVERY,
                     "No email provider is configured in this tenant: the message cannot be sent",
                     NULL);
    else
        pc_api_store_error(rq, rc, NULL);
    return NULL;
}

int pc_api_links_send(pc_req *rq, const json_t *provider, const pc_link_spec *spec,
                      const char *token)
{
    if (pc_links_send(rq->tenant, provider, spec, token, rq->ip) == PC_OK)
        return 1;
    pc_api_error(rq, PC_API_DELIVERY, "The message could not be queued; try again later", NULL);
    return 0;
}

pc_status pc_api_verification_issue(pc_store_tx *tx, pc_req *rq, const json_t *user,
                                    pc_link_spec *spec, char **token)
{
    *spec = (pc_link_spec){.kind = PC_LINK_VERIFY,
                           .user_id = json_string_value(json_object_get(user, "id")),
                           .email = json_string_value(json_object_get(user, "email")),
                           .ttl = rq->tenant->verify_ttl};
    return pc_links_issue(tx, rq->tenant, spec, token);
}

static const pc_field reset_fields[] = {{"email", PC_F_STRING, 0}, {"username", PC_F_STRING, 0}};

/* The active user with this email or username, with an email to write to; else NULL. */
static json_t *reset_target(pc_req *rq, const json_t *body, pc_status *rc)
{
    const char *email = json_string_value(json_object_get(body, "email"));
    json_t *u = NULL;

    *rc = pc_db_get(NULL, PC_ENT_USER, rq->tenant->id, email ? "email" : "username",
                    email ? email : json_string_value(json_object_get(body, "username")), &u);
    if (*rc == PC_OK &&
        (!pc_iam_user_active(u, pc_now()) || !json_is_string(json_object_get(u, "email")))) {
        json_decref(u);
        u = NULL;
    }
    if (*rc == PC_ERR_NOT_FOUND)
        *rc = PC_OK;
    return u;
}

/*
 * The same work whether or not the account exists (API.md §12, no enumeration): a
 * token is stored (for nobody when there is no one) and the request audited; only
 * the queueing of the message differs, and it takes no store call.
 */
static pc_status reset_issue(pc_req *rq, const json_t *user, pc_link_spec *spec, char **token)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    *spec = (pc_link_spec){.kind = PC_LINK_RESET,
                           .user_id = json_string_value(json_object_get(user, "id")),
                           .email = json_string_value(json_object_get(user, "email")),
                           .ttl = rq->tenant->reset_ttl};
    if (rc == PC_OK)
        rc = pc_links_issue(tx, rq->tenant, spec, token);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, rq->tenant->id, "password.reset_requested", "system",
                             spec->user_id, rq->ip, NULL);
    return pc_db_finish(tx, rc);
}

void pc_api_password_reset_request(pc_req *rq)
{
    json_t *body = pc_api_body(rq, reset_fields, 2), *user = NULL, *provider = NULL;
    const char *target;
    char *token = NULL;
    pc_link_spec spec;
    pc_status rc;

    if (body == NULL)
        return;
    target = json_string_value(json_object_get(body, "email"));
    if (target == NULL)
        target = json_string_value(json_object_get(body, "username"));
    if (target == NULL)
        pc_api_error(rq, PC_API_MISSING_FIELDS, "Give an email or a username",
                     json_pack("{s:s}", "email", "required"));
    else if (pc_api_links_allowed(rq, target) && (provider = pc_api_links_provider(rq)) != NULL) {
        user = reset_target(rq, body, &rc);
        if (rc == PC_OK)
            rc = reset_issue(rq, user, &spec, &token);
        /* The answer is 202 either way: a full queue must not tell who exists. */
        if (rc == PC_OK && user != NULL &&
            pc_links_send(rq->tenant, provider, &spec, token, rq->ip) != PC_OK)
            pc_warn("password reset: the delivery queue is full; tenant=%s", rq->tenant->slug);
        if (rc != PC_OK)
            pc_api_store_error(rq, rc, NULL);
        else
            pc_reply_empty(rq, 202);
    }
    pc_free_secret(token);
    json_decref(provider);
    json_decref(user);
    json_decref(body);
}

static const pc_field confirm_fields[] = {{"token", PC_F_STRING, 1}, {"password", PC_F_STRING, 1}};

/* Set the password of the link's user and end every session and token, in `tx`. */
static pc_status reset_apply(pc_store_tx *tx, pc_req *rq, const char *token, const char *hash)
{
    json_t *link = NULL, *user = NULL, *cols;
    const char *uid;
    pc_status rc = pc_links_take(tx, rq->tenant, PC_LINK_RESET, token, &link);

    uid = json_string_value(json_object_get(link, "user_id"));
    if (rc == PC_OK && uid == NULL)
        rc = PC_ERR_NOT_FOUND; /* a request for nobody */
    if (rc == PC_OK)
        rc = pc_db_get(tx, PC_ENT_USER, rq->tenant->id, "id", uid, &user);
    if (rc == PC_OK && !pc_iam_user_active(user, pc_now()))
        rc = PC_ERR_NOT_FOUND;
    cols = json_pack("{s:s,s:I}", "password_hash", hash, "updated_at", (json_int_t)pc_now());
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, uid, cols, NULL, 0);
    if (rc == PC_OK)
        rc = pc_session_end_all(tx, rq->tenant, uid);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, rq->tenant->id, "password.reset", uid, uid, rq->ip, NULL);
    json_decref(cols);
    json_decref(user);
    json_decref(link);
    return rc;
}

/* A link token that is unknown, used, expired or revoked: 400 AUT-0014. */
void pc_api_links_bad_token(pc_req *rq, pc_status rc)
{
    if (rc == PC_ERR_NOT_FOUND)
        pc_api_error(rq, PC_API_BAD_CODE, "This link is unknown, used already or expired",
                     json_pack("{s:s}", "token", "invalid"));
    else
        pc_api_store_error(rq, rc, NULL);
}

void pc_api_password_reset_confirm(pc_req *rq)
{
    json_t *body = pc_api_body(rq, confirm_fields, 2);
    const char *pw = json_string_value(json_object_get(body, "password")), *problem;
    char *hash = NULL;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (body == NULL || !pc_api_links_allowed(rq, NULL))
        goto out;
    if ((problem = pc_api_password_problem(rq->tenant, pw)) != NULL) {
        pc_api_invalid_field(rq, "password", problem);
        goto out;
    }
    if (pc_password_hash(pw, &hash) != PC_OK) {
        pc_api_error(rq, PC_API_INTERNAL, NULL, NULL);
        goto out;
    }
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = reset_apply(tx, rq, json_string_value(json_object_get(body, "token")), hash);
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        pc_api_links_bad_token(rq, rc);
    else
        pc_reply_empty(rq, 204);
out:
    free(hash);
    json_decref(body);
}

/* Send a verification link to `user`'s email; 204. */
static void send_verification(pc_req *rq, const json_t *user)
{
    json_t *provider = NULL;
    const char *email = json_string_value(json_object_get(user, "email"));
    char *token = NULL;
    pc_link_spec spec;
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (email == NULL) {
        pc_api_error(rq, PC_API_INVALID, "The user has no email address",
                     json_pack("{s:s}", "email", "required"));
        return;
    }
    if (!pc_api_links_allowed(rq, email) || (provider = pc_api_links_provider(rq)) == NULL)
        return;
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = pc_api_verification_issue(tx, rq, user, &spec, &token);
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        pc_api_store_error(rq, rc, NULL);
    else if (pc_api_links_send(rq, provider, &spec, token))
        pc_reply_empty(rq, 204);
    pc_free_secret(token);
    json_decref(provider);
}

void pc_api_me_email_verification(pc_req *rq)
{
    pc_principal p = {0};

    if (!pc_api_authenticate(rq, &p))
        return;
    if (!p.is_user)
        pc_api_error(rq, PC_API_FORBIDDEN, "Only a user has an email to verify", NULL);
    else
        send_verification(rq, p.record);
    pc_principal_clear(&p);
}

void pc_api_users_email_verification(pc_req *rq)
{
    pc_principal p = {0};
    json_t *u = NULL;

    if (pc_api_require(rq, &p, "users", "update") && (u = pc_api_user_load(rq)) != NULL &&
        pc_api_may_act_on(rq, &p, json_string_value(json_object_get(u, "id"))))
        send_verification(rq, u);
    json_decref(u);
    pc_principal_clear(&p);
}

static const pc_field verify_fields[] = {{"token", PC_F_STRING, 1}};

/* The link's user gets email_verified if the address is still the one the link went to. */
static pc_status verify_apply(pc_store_tx *tx, pc_req *rq, const char *token)
{
    json_t *link = NULL, *user = NULL, *cols = NULL;
    const char *uid, *email;
    pc_status rc = pc_links_take(tx, rq->tenant, PC_LINK_VERIFY, token, &link);

    uid = json_string_value(json_object_get(link, "user_id"));
    email = json_string_value(json_object_get(link, "email"));
    if (rc == PC_OK)
        rc = pc_db_get(tx, PC_ENT_USER, rq->tenant->id, "id", uid, &user);
    if (rc == PC_OK && (email == NULL || !json_is_string(json_object_get(user, "email")) ||
                        strcmp(email, json_string_value(json_object_get(user, "email"))) != 0))
        rc = PC_ERR_NOT_FOUND; /* the address changed since */
    if (rc == PC_OK) {
        cols = json_pack("{s:b,s:I}", "email_verified", 1, "updated_at", (json_int_t)pc_now());
        rc = pc_db_update(tx, PC_ENT_USER, rq->tenant->id, uid, cols, NULL, 0);
    }
    json_decref(cols);
    cols = rc == PC_OK ? json_pack("{s:s}", "email", email) : NULL;
    if (rc == PC_OK)
        rc = pc_audit_record(tx, rq->tenant->id, "email.verified", uid, uid, rq->ip, cols);
    json_decref(cols);
    json_decref(user);
    json_decref(link);
    return rc == PC_ERR_STORAGE ? rc : rc == PC_OK ? PC_OK : PC_ERR_NOT_FOUND;
}

void pc_api_email_verify(pc_req *rq)
{
    json_t *body = pc_api_body(rq, verify_fields, 1);
    pc_store_tx *tx = NULL;
    pc_status rc;

    if (body == NULL || !pc_api_links_allowed(rq, NULL))
        goto out;
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = verify_apply(tx, rq, json_string_value(json_object_get(body, "token")));
    rc = pc_api_finish(tx, rc);
    if (rc != PC_OK)
        pc_api_links_bad_token(rq, rc);
    else
        pc_reply_empty(rq, 204);
out:
    json_decref(body);
}
