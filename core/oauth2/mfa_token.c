/* SPDX-License-Identifier: Apache-2.0 */
/* mfa_token: a sign-in waiting for its second factor (opaque, stored hashed, 5 minutes, single use, client-bound). */
#include "oauth2/mfa_token.h"
#include "oauth2/passkey.h"
#include "iam/users.h"
#include "oauth2/throttle.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32
#define MAX_TOKEN_LEN 128

pc_status pc_mfa_token_issue(const pc_mfa_pending *p, char **token)
{
    char *t = pc_random_token(TOKEN_BYTES), *hash = pc_sha256_hex(t);
    json_int_t now = pc_now();
    json_t *rec =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:O,s:i,s:s?,s:I,s:I,s:n,s:I,s:s?}", "id", hash,
                  "tenant_id", p->tenant->id, "user_id", p->user_id, "client_id", p->client_id,
                  "scope", p->scope ? p->scope : "", "methods", p->methods, "attempts", 0, "ip",
                  p->ip, "created_at", now, "expires_at", now + PC_MFA_TOKEN_TTL, "used_at",
                  "updated_at", now, "idp", p->provider);
    pc_status rc = pc_db_insert(NULL, PC_ENT_MFA_TOKEN, rec, NULL, 0);

    json_decref(rec);
    free(hash);
    /* Tokens nobody finished: gone an hour after they expired. */
    PC_DB->expire(PC_DBS, PC_ENT_MFA_TOKEN, "expires_at", now - 3600);
    if (rc != PC_OK) {
        pc_free_secret(t);
        return rc;
    }
    *token = t;
    return PC_OK;
}

static int token_live(const json_t *rec)
{
    return json_is_null(json_object_get(rec, "used_at")) &&
           json_integer_value(json_object_get(rec, "expires_at")) > pc_now() &&
           json_integer_value(json_object_get(rec, "attempts")) < PC_MFA_TOKEN_MAX_ATTEMPTS;
}

static pc_status find_in(pc_store_tx *tx, const pc_tenant *t, const char *token,
                         const char *client_id, json_t **rec)
{
    json_t *r = NULL;
    char *hash;
    pc_status rc;

    if (token == NULL || *token == '\0' || strlen(token) > MAX_TOKEN_LEN)
        return PC_ERR_NOT_FOUND;
    hash = pc_sha256_hex(token);
    rc = pc_db_get(tx, PC_ENT_MFA_TOKEN, t->id, "id", hash, &r);
    free(hash);
    if (rc == PC_OK && !token_live(r))
        rc = PC_ERR_NOT_FOUND;
    /* The token is bound to the client that received it. */
    if (rc == PC_OK && (client_id == NULL ||
                        strcmp(json_string_value(json_object_get(r, "client_id")), client_id)))
        rc = PC_ERR_DENIED;
    if (rc != PC_OK) {
        json_decref(r);
        return rc == PC_ERR_STORAGE || rc == PC_ERR_DENIED ? rc : PC_ERR_NOT_FOUND;
    }
    *rec = r;
    return PC_OK;
}

pc_status pc_mfa_token_find(const pc_tenant *t, const char *token, const char *client_id,
                            json_t **rec)
{
    return find_in(NULL, t, token, client_id, rec);
}

void pc_mfa_done_clear(pc_mfa_done *d)
{
    json_decref(d->user);
    json_decref(d->amr);
    free(d->scope);
    free(d->method);
    free(d->provider);
    memset(d, 0, sizeof *d);
}

json_t *pc_mfa_amr_after(const json_t *first, const json_t *mfa_amr)
{
    json_t *out = json_is_array(first) ? json_deep_copy(first) : json_pack("[s]", "pwd"), *v;
    size_t i;

    /* RFC 8176: the factor's own values follow what the first step was */
    json_array_foreach (mfa_amr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), "pwd") != 0)
            json_array_append(out, v);
    return out;
}

static void throttle_keys(const pc_mfa_actor *a, char *account, size_t alen, char *address,
                          size_t blen)
{
    snprintf(account, alen, "mfa:%s:%s", a->tenant->id,
             json_string_value(json_object_get(a->user, "id")));
    snprintf(address, blen, "addr:%s", a->ip ? a->ip : "");
}

pc_status pc_mfa_throttle_check(const pc_mfa_actor *a, int64_t *retry_after)
{
    char account[128], address[100];
    int64_t retry = 0;

    throttle_keys(a, account, sizeof account, address, sizeof address);
    if (pc_throttle_check(address, pc_srv->cfg.limit_address, &retry) == PC_OK &&
        pc_throttle_check(account, pc_srv->cfg.limit_account, &retry) == PC_OK)
        return PC_OK;
    *retry_after = retry > 0 ? retry : 1;
    return PC_ERR_LIMIT;
}

void pc_mfa_throttle_result(const pc_mfa_actor *a, pc_status rc)
{
    char account[128], address[100];
    const char *uid = json_string_value(json_object_get(a->user, "id"));
    int locked;

    throttle_keys(a, account, sizeof account, address, sizeof address);
    if (rc == PC_OK) {
        pc_throttle_clear(account);
        return;
    }
    if (rc != PC_ERR_DENIED)
        return;
    locked = pc_throttle_fail(account, pc_srv->cfg.limit_account);
    locked |= pc_throttle_fail(address, pc_srv->cfg.limit_address);
    pc_audit_record(NULL, a->tenant->id, "mfa.failed", a->actor, uid, a->ip, NULL);
    if (locked)
        pc_audit_record(NULL, a->tenant->id, "mfa.locked", "system", uid, a->ip, NULL);
}

static int has_method(const json_t *rec, const char *method)
{
    size_t i;
    json_t *m;

    json_array_foreach (json_object_get(rec, "methods"), i, m)
        if (method != NULL && strcmp(json_string_value(m), method) == 0)
            return 1;
    return 0;
}

/* The user (not deleted) and the factor of `method` behind a token record; new, or an error. */
static pc_status subject_of(const pc_tenant *t, const json_t *rec, const char *method,
                            int enrolling, json_t **user, json_t **factor)
{
    json_t *factors = NULL, *f;
    pc_status rc;

    *user = NULL;
    *factor = NULL;
    if (!has_method(rec, method))
        return PC_ERR_INVALID;
    rc = pc_db_get(NULL, PC_ENT_USER, t->id, "id",
                   json_string_value(json_object_get(rec, "user_id")), user);
    if (rc == PC_OK && !pc_iam_user_active(*user, pc_now()))
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        rc = pc_mfa_factors(t, json_string_value(json_object_get(*user, "id")), &factors);
    f = rc == PC_OK ? pc_mfa_find(factors, method) : NULL;
    /* enrolment at sign-in proves a factor that is not on yet */
    if (rc == PC_OK && (f == NULL || pc_mfa_is_active(f) != !enrolling))
        rc = PC_ERR_INVALID;
    if (rc == PC_OK)
        *factor = json_incref(f);
    json_decref(factors);
    if (rc != PC_OK) {
        json_decref(*user);
        *user = NULL;
    }
    return rc;
}

/* In one transaction, the token locked: check the code, then use the token up or count the failure. */
/* The factor proven at enrolment goes on, in the redeeming transaction, audited. */
static pc_status activate(pc_store_tx *tx, const pc_mfa_actor *a, const char *factor_id)
{
    json_t *patch =
        json_pack("{s:s,s:I}", "state", PC_MFA_ACTIVE, "updated_at", (json_int_t)pc_now());
    const char *uid = json_string_value(json_object_get(a->user, "id"));
    json_t *f = NULL, *details;
    pc_status rc = pc_db_update(tx, PC_ENT_MFA, a->tenant->id, factor_id, patch, NULL, 0);

    json_decref(patch);
    if (rc == PC_OK)
        rc = pc_db_get(tx, PC_ENT_MFA, a->tenant->id, "id", factor_id, &f);
    details = json_pack("{s:O?,s:s}", "method", json_object_get(f, "method"), "during", "sign-in");
    if (rc == PC_OK)
        rc = pc_audit_record(tx, a->tenant->id, "mfa.enabled", uid, uid, a->ip, details);
    json_decref(details);
    json_decref(f);
    return rc;
}

static pc_status redeem_locked(const pc_mfa_actor *a, const char *hash, const char *token,
                               const char *factor_id, const char *code, const char **amr,
                               int enrolling)
{
    pc_store_tx *tx = NULL;
    json_t *rec = NULL, *patch;
    pc_status rc = pc_db_begin(&tx), vrc;

    patch = json_pack("{s:I}", "updated_at", (json_int_t)pc_now());
    if (rc == PC_OK)
        rc = pc_db_update(tx, PC_ENT_MFA_TOKEN, a->tenant->id, hash, patch, NULL, 0);
    json_decref(patch);
    if (rc == PC_OK)
        rc = find_in(tx, a->tenant, token, a->client_id, &rec);
    if (rc != PC_OK) {
        pc_db_rollback(tx);
        return rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
    }
    vrc = pc_mfa_verify_in(tx, a, factor_id, code, amr);
    if (vrc == PC_OK && enrolling && (rc = activate(tx, a, factor_id)) != PC_OK) {
        pc_db_rollback(tx);
        json_decref(rec);
        return rc;
    }
    if (vrc == PC_OK)
        patch = json_pack("{s:I}", "used_at", (json_int_t)pc_now());
    else
        patch = json_pack("{s:I}", "attempts",
                          json_integer_value(json_object_get(rec, "attempts")) + 1);
    rc = vrc == PC_OK || vrc == PC_ERR_DENIED || vrc == PC_ERR_LIMIT
             ? pc_db_update(tx, PC_ENT_MFA_TOKEN, a->tenant->id, hash, patch, NULL, 0)
             : vrc;
    json_decref(patch);
    json_decref(rec);
    rc = pc_db_finish(tx, rc);
    return rc != PC_OK ? rc : vrc;
}

static json_t *amr_with(const char *value)
{
    json_t *amr = json_pack("[s]", "pwd");

    if (value != NULL && strcmp(value, "pwd") != 0 && strcmp(value, "mfa") != 0)
        json_array_append_new(amr, json_string(value));
    json_array_append_new(amr, json_string("mfa")); /* RFC 8176 §2 */
    return amr;
}

static pc_status redeem(const pc_tenant *t, const char *token, const char *client_id,
                        const char *method, const char *code, const char *challenge, const char *ip,
                        pc_mfa_done *done, int64_t *retry_after, int enrolling)
{
    json_t *rec = NULL, *user = NULL, *factor = NULL;
    pc_mfa_actor a = {
        .tenant = t, .client_id = client_id, .actor = client_id, .ip = ip, .challenge = challenge};
    const char *amr = NULL;
    pc_status rc = pc_mfa_token_find(t, token, client_id, &rec);

    memset(done, 0, sizeof *done);
    if (rc == PC_OK)
        rc = subject_of(t, rec, method, enrolling, &user, &factor);
    if (rc != PC_OK)
        goto out;
    a.user = user;
    rc = pc_mfa_throttle_check(&a, retry_after);
    if (rc == PC_OK)
        rc = redeem_locked(&a, json_string_value(json_object_get(rec, "id")), token,
                           json_string_value(json_object_get(factor, "id")), code, &amr, enrolling);
    pc_mfa_throttle_result(&a, rc);
    if (rc == PC_ERR_LIMIT && *retry_after <= 0)
        *retry_after = 3600; /* the scheme locked itself (recovery codes) */
    if (rc != PC_OK)
        goto out;
    done->user = json_incref(user);
    done->amr = amr_with(amr);
    done->scope = pc_strdup(json_string_value(json_object_get(rec, "scope")));
    done->method = pc_strdup(method);
    if (json_is_string(json_object_get(rec, "idp")))
        done->provider = pc_strdup(json_string_value(json_object_get(rec, "idp")));
out:
    json_decref(factor);
    json_decref(user);
    json_decref(rec);
    return rc;
}

pc_status pc_mfa_token_redeem(const pc_tenant *t, const char *token, const char *client_id,
                              const char *method, const char *code, const char *challenge,
                              const char *ip, pc_mfa_done *done, int64_t *retry_after)
{
    return redeem(t, token, client_id, method, code, challenge, ip, done, retry_after, 0);
}

pc_status pc_mfa_token_redeem_enrolment(const pc_tenant *t, const char *token,
                                        const char *client_id, const char *method, const char *code,
                                        const char *ip, pc_mfa_done *done, int64_t *retry_after)
{
    return redeem(t, token, client_id, method, code, NULL, ip, done, retry_after, 1);
}

pc_status pc_mfa_token_challenge(const pc_tenant *t, const char *token, const char *client_id,
                                 const char *method, const char *ip, int64_t *retry_after)
{
    json_t *rec = NULL, *user = NULL, *factor = NULL;
    pc_mfa_actor a = {.tenant = t, .client_id = client_id, .actor = client_id, .ip = ip};
    pc_status rc = pc_mfa_token_find(t, token, client_id, &rec);

    if (rc == PC_OK)
        rc = subject_of(t, rec, method, 0, &user, &factor);
    if (rc == PC_OK) {
        a.user = user;
        rc = pc_mfa_challenge(&a, factor);
    }
    if (rc == PC_ERR_LIMIT)
        *retry_after = PC_MFA_RESEND_RETRY;
    json_decref(factor);
    json_decref(user);
    json_decref(rec);
    return rc;
}

pc_status pc_mfa_token_passkey_options(const pc_tenant *t, const char *token, const char *client_id,
                                       const char *method, char **options)
{
    json_t *rec = NULL, *user = NULL, *factor = NULL;
    char *challenge = NULL;
    pc_status rc = pc_mfa_token_find(t, token, client_id, &rec);

    *options = NULL;
    if (rc == PC_OK)
        rc = subject_of(t, rec, method, 0, &user, &factor);
    if (rc == PC_OK && (challenge = pc_passkey_challenge_issue(t, token)) == NULL)
        rc = PC_ERR_STORAGE;
    if (rc == PC_OK && (*options = pc_passkey_options(t, user, factor, challenge)) == NULL)
        rc = PC_ERR_INTERNAL;
    free(challenge);
    json_decref(factor);
    json_decref(user);
    json_decref(rec);
    return rc;
}
