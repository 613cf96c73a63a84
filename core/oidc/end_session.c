/* SPDX-License-Identifier: Apache-2.0 */
/* RP-Initiated Logout (OIDC RP-Initiated Logout 1.0): end the browser session and its tokens, asking first without proof. */
#include "oidc/end_session.h"
#include "oauth2/authorize_internal.h"
#include "oauth2/changes.h"
#include "oauth2/redirect.h"
#include "oauth2/session.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"

#include <string.h>

static const char *param(const pc_web_in *in, const char *name)
{
    return in->param(in->param_ctx, name);
}

/* §2: an ID token this issuer signed; it may have expired. */
static json_t *verify_hint(const pc_tenant *t, const char *jwt)
{
    size_t n;
    const pc_jose_key *const *keys = pc_keyring_keys(t->keys, &n);
    json_t *header = NULL, *claims = NULL;
    const char *typ, *iss;

    if (strlen(jwt) > 8192 || pc_jose_verify(keys, n, jwt, &header, &claims) != PC_OK)
        return NULL;
    typ = json_string_value(json_object_get(header, "typ"));
    iss = json_string_value(json_object_get(claims, "iss"));
    if ((typ != NULL && strstr(typ, "at+jwt") != NULL) || iss == NULL ||
        strcmp(iss, t->issuer) != 0) {
        json_decref(claims);
        claims = NULL;
    }
    json_decref(header);
    return claims;
}

static const char *hint_audience(const json_t *hint, const char *client_id)
{
    json_t *aud = json_object_get(hint, "aud"), *v;
    size_t i;

    if (json_is_string(aud))
        return client_id == NULL || strcmp(json_string_value(aud), client_id) == 0
                   ? json_string_value(aud)
                   : NULL;
    json_array_foreach (aud, i, v)
        if (json_is_string(v) &&
            (client_id == NULL || strcmp(json_string_value(v), client_id) == 0))
            return json_string_value(v);
    return NULL;
}

/* The client whose post_logout_redirect_uris `uri` must be one of (§2, §3); sets out->app. */
static int check_redirect(const pc_web_in *in, pc_web_out *out, const json_t *hint,
                          const char *client_id, const char *uri)
{
    if (hint != NULL && (client_id = hint_audience(hint, client_id)) == NULL) {
        pc_authz_error_page(out, 400, "invalid_request",
                            "The sign-out request names another application.");
        return 0;
    }
    if (client_id != NULL && strlen(client_id) <= 256)
        pc_db_get(NULL, PC_ENT_APPLICATION, in->tenant->id, "client_id", client_id, &out->app);
    if (uri != NULL &&
        !pc_redirect_uri_registered(json_object_get(out->app, "post_logout_redirect_uris"), uri)) {
        pc_authz_error_page(
            out, 400, "invalid_request",
            "The application asked to send you to an address it has not registered, "
            "so you were not signed out.");
        return 0;
    }
    return 1;
}

/* End the session of `sid` if it is `user_id`'s (NULL: anyone's). */
static pc_status end_one(pc_store_tx *tx, const pc_web_in *in, const char *sid, const char *user_id)
{
    json_t *s = NULL, *details;
    const char *owner;
    pc_status rc;

    if (sid == NULL || pc_db_get(tx, PC_ENT_SESSION, in->tenant->id, "id", sid, &s) != PC_OK)
        return PC_OK;
    owner = json_string_value(json_object_get(s, "user_id"));
    rc = PC_OK;
    if (json_is_null(json_object_get(s, "ended_at")) &&
        (user_id == NULL || strcmp(owner, user_id) == 0)) {
        details = json_pack("{s:s,s:s}", "sid", sid, "via", "end_session");
        rc = pc_session_end(tx, in->tenant, sid);
        if (rc == PC_OK)
            rc =
                pc_audit_record(tx, in->tenant->id, "session.ended", owner, owner, in->ip, details);
        json_decref(details);
    }
    json_decref(s);
    return rc;
}

/* End the browser's session (`browser`, may be NULL) and the one the hint names. */
static pc_status end_sessions(const pc_web_in *in, const json_t *browser, const json_t *hint)
{
    pc_store_tx *tx = NULL;
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK && browser != NULL)
        rc = end_one(tx, in, pc_authz_str(browser, "id"), NULL);
    if (rc == PC_OK && hint != NULL)
        rc = end_one(tx, in, pc_authz_str(hint, "sid"), pc_authz_str(hint, "sub"));
    rc = tx ? pc_db_finish(tx, rc) : rc;
    pc_changes_sync();
    return rc;
}

/* Signed out: back to the client with its state (§3), or the logged-out page. */
static void sign_out(const pc_web_in *in, pc_web_out *out, const json_t *browser,
                     const json_t *hint, const char *uri, const char *state)
{
    if (end_sessions(in, browser, hint) != PC_OK) {
        pc_error("cannot end a session: tenant=%s", in->tenant->slug);
        pc_authz_error_page(out, 500, "server_error",
                            "Something went wrong on our side. Try again later.");
        return;
    }
    out->clear_session = 1;
    if (uri == NULL) {
        out->outcome = PC_WEB_LOGGED_OUT;
        return;
    }
    const char *pairs[] = {"state", state, NULL};
    out->outcome = PC_WEB_REDIRECT;
    out->location = pc_redirect_with(uri, pairs);
}

/* The browser's live session and its user, or none (both NULL); 0 after a store failure. */
static int browser_session(const pc_web_in *in, pc_web_out *out, json_t **session, json_t **user)
{
    *session = *user = NULL;
    if (pc_browser_session_find(in->tenant, in->session_cookie, session, user) != PC_ERR_STORAGE)
        return 1;
    pc_authz_error_page(out, 500, "server_error",
                        "Something went wrong on our side. Try again later.");
    return 0;
}

/*
 * §2: the OP SHOULD ask the person whether to sign out. The form carries,
 * sealed, what the request asked for and the session it was shown in; the
 * CSRF token is the browser's, as on the sign-in forms.
 */
static void confirm_page(const pc_web_in *in, pc_web_out *out, const json_t *browser, json_t *user,
                         const json_t *hint, const char *uri, const char *state)
{
    json_t *req = json_pack("{s:s,s:s?,s:s?,s:s?,s:s?}", "form", "end_session", "sid",
                            pc_authz_str(browser, "id"), "post_logout_redirect_uri", uri, "state",
                            state, "client_id", pc_authz_str(out->app, "client_id"));

    if (hint != NULL)
        json_object_set_new(req, "hint",
                            json_pack("{s:s?,s:s?}", "sid", pc_authz_str(hint, "sid"), "sub",
                                      pc_authz_str(hint, "sub")));
    out->outcome = PC_WEB_CONFIRM_LOGOUT;
    out->user = json_incref(user);
    pc_authz_form_tokens(in, out, req);
    json_decref(req);
}

/* Does the (verified) hint name the browser's own session? */
static int hint_names(const json_t *hint, const json_t *browser)
{
    const char *sid = pc_authz_str(hint, "sid");

    return sid != NULL && strcmp(sid, pc_authz_str(browser, "id")) == 0;
}

/* The confirmation form posted back: sealed here, fresh, from this browser. */
static void confirmed(const pc_web_in *in, pc_web_out *out)
{
    json_t *req = pc_authz_unseal(in->tenant, param(in, "request")), *browser = NULL, *user = NULL;
    const char *csrf = pc_authz_str(req, "csrf"), *form_csrf = param(in, "csrf");
    const char *form = pc_authz_str(req, "form"), *uri, *sid;

    if (form == NULL || strcmp(form, "end_session") != 0 || csrf == NULL || form_csrf == NULL ||
        in->csrf_cookie == NULL || !pc_ct_streq(csrf, form_csrf) ||
        !pc_ct_streq(csrf, in->csrf_cookie)) {
        pc_authz_error_page(out, 400, "invalid_request",
                            "This form has expired or was not sent from this browser, "
                            "so you were not signed out.");
        goto out;
    }
    uri = pc_authz_str(req, "post_logout_redirect_uri");
    /* The client may have changed since the form was shown. */
    if (!check_redirect(in, out, NULL, pc_authz_str(req, "client_id"), uri) ||
        !browser_session(in, out, &browser, &user))
        goto out;
    sid = pc_authz_str(req, "sid");
    /* Signed in again since the form was shown: ask about the new session. */
    if (browser != NULL && (sid == NULL || strcmp(sid, pc_authz_str(browser, "id")) != 0))
        confirm_page(in, out, browser, user, json_object_get(req, "hint"), uri,
                     pc_authz_str(req, "state"));
    else
        sign_out(in, out, browser, json_object_get(req, "hint"), uri, pc_authz_str(req, "state"));
out:
    json_decref(browser);
    json_decref(user);
    json_decref(req);
}

void pc_oidc_end_session(const pc_web_in *in, pc_web_out *out)
{
    const char *hint_jwt = param(in, "id_token_hint"), *uri = param(in, "post_logout_redirect_uri");
    json_t *hint = NULL, *browser = NULL, *user = NULL;

    memset(out, 0, sizeof *out);
    /* Only a POST of the confirmation form signs out without proof. */
    if (in->posted && param(in, "request") != NULL) {
        confirmed(in, out);
        return;
    }
    if (hint_jwt != NULL && (hint = verify_hint(in->tenant, hint_jwt)) == NULL) {
        pc_authz_error_page(out, 400, "invalid_request", "The sign-out request is not valid.");
        return;
    }
    if (!check_redirect(in, out, hint, param(in, "client_id"), uri) ||
        !browser_session(in, out, &browser, &user))
        goto out;
    /* Without proof that the request comes from the session's own client, ask
     * first: a cross-site link must not sign anyone out. */
    if (browser != NULL && (hint == NULL || !hint_names(hint, browser)))
        confirm_page(in, out, browser, user, hint, uri, param(in, "state"));
    else
        sign_out(in, out, browser, hint, uri, param(in, "state"));
out:
    json_decref(browser);
    json_decref(user);
    json_decref(hint);
}
