/* SPDX-License-Identifier: Apache-2.0 */
/* The device page (RFC 8628 §3.3): a person enters the user code, signs in, consents; the device is told. */
#include "oauth2/authorize_internal.h"
#include "oauth2/code.h"
#include "oauth2/device.h"
#include "oauth2/grants.h"
#include "oauth2/throttle.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define CSRF_BYTES 32

static const char *param(const pc_web_in *in, const char *name)
{
    return in->param(in->param_ctx, name);
}

/* The device page: the form (message may be NULL), its CSRF token from the browser's cookie. */
static void device_form(const pc_web_in *in, pc_web_out *out, const char *message, unsigned status)
{
    out->outcome = PC_WEB_DEVICE;
    out->status = status;
    out->message = message;
    free(out->csrf);
    out->set_csrf = !pc_browser_secret_valid(in->csrf_cookie);
    out->csrf = out->set_csrf ? pc_random_token(CSRF_BYTES) : pc_strdup(in->csrf_cookie);
}

void pc_oauth2_device_page(const pc_web_in *in, pc_web_out *out)
{
    char code[9];
    const char *typed = param(in, "user_code");

    memset(out, 0, sizeof *out);
    if (!pc_grants_loaded(PC_GRANT_DEVICE_CODE)) {
        pc_authz_error_page(out, 404, "not_found", "Device sign-in is not enabled here.");
        return;
    }
    device_form(in, out, NULL, 200);
    /* verification_uri_complete (RFC 8628 §3.3.1) fills the code in; the person still confirms. */
    if (typed != NULL && pc_device_user_code_normalise(typed, code))
        out->user_code = pc_strdup(typed);
}

int pc_device_request(const json_t *req)
{
    return pc_authz_str(req, "device_id") != NULL;
}

/* The device authorization of a typed code, or NULL with the page set (counted as a wrong guess). */
static json_t *find_code(const pc_web_in *in, pc_web_out *out, const char *typed)
{
    char code[9], *hash;
    json_t *rec = NULL;
    pc_status rc = PC_ERR_NOT_FOUND;

    if (pc_device_user_code_normalise(typed, code)) {
        hash = pc_sha256_hex(code);
        rc = pc_db_get(NULL, PC_ENT_DEVICE_CODE, in->tenant->id, "user_code", hash, &rec);
        free(hash);
    }
    if (rc == PC_ERR_STORAGE) {
        pc_authz_unavailable(out);
        return NULL;
    }
    if (rc == PC_OK && json_integer_value(json_object_get(rec, "expires_at")) <= pc_now())
        device_form(in, out, "This code has expired. Start again on your device.", 400);
    else if (rc == PC_OK && strcmp(pc_authz_str(rec, "status"), "pending") != 0)
        device_form(in, out, "This code was already used. Start again on your device.", 400);
    else if (rc != PC_OK)
        device_form(in, out, "This code is not valid. Check the code your device shows.", 400);
    else
        return rec;
    json_decref(rec);
    return NULL;
}

json_t *pc_device_client(const pc_tenant *t, const json_t *req, pc_web_out *out)
{
    json_t *app = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_APPLICATION, t->id, "client_id",
                             pc_authz_str(req, "client_id"), &app);

    if (rc == PC_ERR_STORAGE) {
        pc_authz_unavailable(out);
        return NULL;
    }
    if (rc != PC_OK ||
        !pc_json_has_string(json_object_get(app, "grant_types"), PC_GRANT_DEVICE_CODE)) {
        json_decref(app);
        pc_authz_error_page(out, 400, "invalid_client",
                            "The application of this device is no longer allowed to sign in.");
        return NULL;
    }
    return app;
}

void pc_oauth2_device_verify(const pc_web_in *in, pc_web_out *out)
{
    const char *csrf = param(in, "csrf");
    char *key = pc_asprintf("device:%s", in->ip ? in->ip : "");
    json_t *rec = NULL, *req;

    memset(out, 0, sizeof *out);
    if (csrf == NULL || in->csrf_cookie == NULL || !pc_ct_streq(csrf, in->csrf_cookie)) {
        device_form(in, out, "This form has expired. Enter the code again.", 400);
    } else if (pc_throttle_check(key, PC_DEVICE_GUESSES, &out->retry_after) != PC_OK) {
        /* RFC 8628 §5.1: user codes are short; guessing them is slowed per address. */
        device_form(in, out, "Too many wrong codes. Wait a while, then try again.", 429);
    } else if ((rec = find_code(in, out, param(in, "user_code"))) == NULL) {
        if (out->outcome == PC_WEB_DEVICE)
            pc_throttle_fail(key, PC_DEVICE_GUESSES);
    } else {
        req = json_pack("{s:O,s:O,s:O}", "client_id", json_object_get(rec, "client_id"), "scope",
                        json_object_get(rec, "scope"), "device_id", json_object_get(rec, "id"));
        out->app = pc_device_client(in->tenant, req, out);
        if (out->app != NULL)
            pc_authz_decide(in, out, req, in->session_cookie, 0);
        json_decref(req);
    }
    json_decref(rec);
    free(key);
}

static json_t *device_of(const pc_web_in *in, pc_web_out *out, const json_t *req)
{
    json_t *rec = NULL;
    pc_status rc = pc_db_get(NULL, PC_ENT_DEVICE_CODE, in->tenant->id, "id",
                             pc_authz_str(req, "device_id"), &rec);

    if (rc == PC_ERR_STORAGE)
        pc_authz_unavailable(out);
    else if (rc != PC_OK || json_integer_value(json_object_get(rec, "expires_at")) <= pc_now())
        device_form(in, out, "This code has expired. Start again on your device.", 400);
    else if (strcmp(pc_authz_str(rec, "status"), "pending") != 0)
        device_form(in, out, "This code was already used. Start again on your device.", 400);
    else
        return rec;
    json_decref(rec);
    return NULL;
}

static void set_status(const pc_tenant *t, const json_t *rec, const char *status,
                       const char *user_id)
{
    json_t *patch = json_pack("{s:s,s:s?}", "status", status, "user_id", user_id);

    if (pc_db_update(NULL, PC_ENT_DEVICE_CODE, t->id, pc_authz_str(rec, "id"), patch, NULL, 0) !=
        PC_OK)
        pc_warn("cannot record a device decision: tenant=%s", t->slug);
    json_decref(patch);
}

void pc_device_approve(const pc_web_in *in, pc_web_out *out, const json_t *req,
                       const json_t *session)
{
    json_t *rec = device_of(in, out, req);
    pc_code_grant g = {.client_id = pc_authz_str(req, "client_id"),
                       .redirect_uri = PC_CODE_DEVICE,
                       .user_id = pc_authz_str(session, "user_id"),
                       .sid = pc_authz_str(session, "id"),
                       .scope = pc_authz_str(req, "scope"),
                       .amr = json_object_get(session, "amr"),
                       .auth_time = json_integer_value(json_object_get(session, "auth_time"))};
    pc_status rc;

    if (rec == NULL)
        return;
    /* One insert decides: of two approvals of one code, only the first stores the grant. */
    rc = pc_code_store(in->tenant, pc_authz_str(rec, "id"), &g,
                       json_integer_value(json_object_get(rec, "expires_at")));
    if (rc == PC_ERR_CONFLICT) {
        device_form(in, out, "This code was already used. Start again on your device.", 400);
    } else if (rc != PC_OK) {
        pc_authz_unavailable(out);
    } else {
        set_status(in->tenant, rec, "approved", g.user_id);
        out->outcome = PC_WEB_DEVICE;
        out->device_result = "approved";
    }
    json_decref(rec);
}

void pc_device_deny(const pc_web_in *in, pc_web_out *out, const json_t *req)
{
    json_t *rec = device_of(in, out, req);

    if (rec == NULL)
        return;
    set_status(in->tenant, rec, "denied", NULL);
    out->outcome = PC_WEB_DEVICE;
    out->device_result = "denied";
    json_decref(rec);
}
