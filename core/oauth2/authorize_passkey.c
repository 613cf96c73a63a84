/* SPDX-License-Identifier: Apache-2.0 */
/* Passwordless sign-in with a discoverable passkey on the login page (issue #19, RFC 8176 amr). */
#include "oauth2/authorize_internal.h"
#include "oauth2/mfa_token.h"
#include "oauth2/passkey.h"
#include "iam/users.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define MAX_USER_HANDLE 64 /* WebAuthn L2 §5.4.3 */

void pc_authz_passkey_offer(const pc_web_in *in, pc_web_out *out, json_t *req)
{
    void *state = NULL;

    (void)in;
    json_object_del(req, "passkey_challenge");
    /* No challenge yet: a page nobody uses for a passkey writes nothing (see below). */
    out->passkey_offered = pc_passkey_scheme(PC_PASSKEY_METHOD, &state) != NULL;
}

static unsigned options_error(json_t **reply, unsigned status, const char *error,
                              const char *description)
{
    *reply = json_pack("{s:s,s:s}", "error", error, "error_description", description);
    return status;
}

unsigned pc_oauth2_authorize_passkey_options(const pc_web_in *in, json_t **reply)
{
    pc_web_out out = {0};
    json_t *req = pc_authz_form_request(in, &out), *options = NULL;
    char *challenge = NULL, *text = NULL, *sealed = NULL;
    void *state = NULL;
    unsigned status = 200;

    pc_web_out_clear(&out);
    if (req == NULL)
        return options_error(reply, 400, "invalid_request",
                             "this sign-in form expired or was not sent from this browser");
    if (pc_passkey_scheme(PC_PASSKEY_METHOD, &state) == NULL)
        status = options_error(reply, 404, "invalid_request", "passkeys are not enabled here");
    else if ((challenge = pc_passkey_challenge_issue(in->tenant, NULL)) == NULL ||
             (text = pc_passkey_options(in->tenant, NULL, NULL, challenge)) == NULL ||
             (options = json_loads(text, 0, NULL)) == NULL)
        status = options_error(reply, 503, "temporarily_unavailable",
                               "a passkey challenge could not be made; try again");
    if (status == 200) {
        /* The challenge travels sealed in this form's request: the post must name it again. */
        json_object_set_new(req, "passkey_challenge", json_string(challenge));
        sealed = pc_authz_seal(in->tenant, req);
        if (sealed == NULL)
            status = options_error(reply, 500, "server_error", "the form could not be sealed");
        else
            *reply = json_pack("{s:O,s:s}", "publicKey", options, "request", sealed);
    }
    json_decref(options);
    free(sealed);
    free(text);
    free(challenge);
    json_decref(req);
    return status;
}

/* The user a response names by its userHandle (new), when it is active, with its passkey factor. */
static pc_status subject_of(const pc_tenant *t, const json_t *cred, json_t **user, json_t **factor)
{
    const char *uh =
        json_string_value(json_object_get(json_object_get(cred, "response"), "userHandle"));
    uint8_t *id = NULL;
    size_t n = 0;
    json_t *factors = NULL;
    char *user_id;
    pc_status rc;

    *user = *factor = NULL;
    if (uh == NULL || pc_b64url_decode(uh, strlen(uh), &id, &n) != PC_OK || n == 0 ||
        n > MAX_USER_HANDLE || memchr(id, 0, n) != NULL) {
        free(id);
        return PC_ERR_NOT_FOUND;
    }
    user_id = pc_strndup((const char *)id, n);
    free(id);
    rc = pc_db_get(NULL, PC_ENT_USER, t->id, "id", user_id, user);
    if (rc == PC_OK && !pc_iam_user_active(*user, pc_now()))
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        rc = pc_mfa_factors(t, user_id, &factors);
    if (rc == PC_OK && pc_mfa_is_active(pc_mfa_find(factors, PC_PASSKEY_METHOD)))
        *factor = json_incref(pc_mfa_find(factors, PC_PASSKEY_METHOD));
    else if (rc == PC_OK)
        rc = PC_ERR_NOT_FOUND;
    json_decref(factors);
    free(user_id);
    return rc == PC_ERR_STORAGE ? rc : rc == PC_OK ? PC_OK : PC_ERR_NOT_FOUND;
}

/* Check the assertion in a transaction, the factor's row locked: *amr gets hwk or swk. */
static pc_status check(const pc_mfa_actor *a, const json_t *factor, const char *response,
                       const char **amr)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx), vrc = PC_ERR_INTERNAL;

    if (rc == PC_OK)
        rc = vrc = pc_mfa_verify_in(tx, a, json_string_value(json_object_get(factor, "id")),
                                    response, amr);
    /* A refused response still commits: counters and audits stick. */
    rc = pc_db_finish(tx, rc == PC_ERR_DENIED ? PC_OK : rc);
    return rc != PC_OK ? rc : vrc;
}

/* RFC 8176: the key (hwk or swk), a user-presence test, and, verified by the authenticator, mfa. */
static json_t *passwordless_amr(const char *key)
{
    return json_pack("[s,s,s]", key ? key : "hwk", "user", "mfa");
}

static void signed_in(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *user,
                      const char *key)
{
    pc_login_attempt la = {
        .tenant = in->tenant, .ip = in->ip, .client_id = pc_authz_str(req, "client_id")};
    json_t *amr = passwordless_amr(key);
    char *secret = NULL;
    pc_status rc = pc_browser_session_signed_in(&la, json_string_value(json_object_get(user, "id")),
                                                amr, in->session_cookie, &secret);

    json_decref(amr);
    json_object_del(req, "passkey_challenge");
    if (rc == PC_ERR_STORAGE) {
        pc_authz_unavailable(out);
        return;
    }
    if (rc != PC_OK) {
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
        return;
    }
    out->session_cookie = secret;
    pc_authz_decide(in, out, req, secret ? secret : in->session_cookie, PC_AUTHZ_FRESH_LOGIN);
}

static void refused(const pc_web_in *in, pc_web_out *out, json_t *req, pc_status rc)
{
    if (rc == PC_ERR_STORAGE)
        pc_authz_unavailable(out);
    else if (rc == PC_ERR_LIMIT)
        pc_authz_login_page(in, out, req, NULL,
                            "Too many failed sign-ins. Wait a while, then try again.", 429);
    else if (rc == PC_ERR_DENIED || rc == PC_ERR_NOT_FOUND)
        pc_authz_login_page(in, out, req, NULL,
                            "That passkey was not accepted. Try again, or sign in with your "
                            "password.",
                            401);
    else
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
}

static pc_status sign_in(const pc_web_in *in, json_t *req, const char *response,
                         const char *challenge, json_t **user, const char **key,
                         int64_t *retry_after)
{
    json_t *cred = json_loads(response, JSON_REJECT_DUPLICATES, NULL), *factor = NULL;
    pc_mfa_actor a = {.tenant = in->tenant,
                      .client_id = pc_authz_str(req, "client_id"),
                      .actor = pc_authz_str(req, "client_id"),
                      .ip = in->ip,
                      .challenge = challenge,
                      .scheme_flags = PC_SCHEME_PASSWORDLESS};
    pc_status rc =
        json_is_object(cred) ? subject_of(in->tenant, cred, user, &factor) : PC_ERR_DENIED;

    json_decref(cred);
    if (rc == PC_OK) {
        a.user = *user;
        rc = pc_mfa_throttle_check(&a, retry_after);
    }
    if (rc == PC_OK) {
        rc = check(&a, factor, response, key);
        pc_mfa_throttle_result(&a, rc);
    }
    json_decref(factor);
    return rc;
}

void pc_oauth2_authorize_passkey(const pc_web_in *in, pc_web_out *out)
{
    const char *response = in->param(in->param_ctx, "credential"), *key = NULL;
    json_t *req, *user = NULL;
    char *challenge;
    pc_status rc;

    memset(out, 0, sizeof *out);
    req = pc_authz_form_request(in, out);
    if (req == NULL)
        return;
    challenge = pc_strdup(pc_authz_str(req, "passkey_challenge"));
    /* The challenge of this form, once (WebAuthn L2 §13.4.3); a second post is refused. */
    rc = pc_passkey_challenge_take(in->tenant, challenge, NULL);
    /* Said apart from a refused passkey: a second post of the form, or one too late. */
    if (rc == PC_ERR_NOT_FOUND) {
        pc_authz_login_page(in, out, req, NULL,
                            "This passkey sign-in expired or was used already. Try again.", 401);
        goto out;
    }
    if (rc == PC_OK && (response == NULL || *response == '\0'))
        rc = PC_ERR_DENIED;
    if (rc == PC_OK)
        rc = sign_in(in, req, response, challenge, &user, &key, &out->retry_after);
    if (rc == PC_OK)
        signed_in(in, out, req, user, key);
    else
        refused(in, out, req, rc);
out:
    free(challenge);
    json_decref(user);
    json_decref(req);
}
