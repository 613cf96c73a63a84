/* SPDX-License-Identifier: Apache-2.0 */
/* Browser sessions (SSO): a random cookie secret stored only as its hash; and the sealed authorization request. */
#include "oauth2/authorize_internal.h"
#include "iam/users.h"
#include "oauth2/changes.h"
#include "oauth2/session.h"
#include "iam/audit.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define SECRET_BYTES 32 /* 256 bits */

int pc_browser_secret_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n != 43)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

pc_status pc_browser_session_find(const pc_tenant *t, const char *secret, json_t **session,
                                  json_t **user)
{
    json_t *s = NULL, *u = NULL;
    char *hash;
    pc_status rc;

    if (!pc_browser_secret_valid(secret))
        return PC_ERR_NOT_FOUND;
    hash = pc_sha256_hex(secret);
    rc = pc_db_get(NULL, PC_ENT_SESSION, t->id, "secret_hash", hash, &s);
    free(hash);
    if (rc == PC_OK && !pc_session_usable(s, pc_now()))
        rc = PC_ERR_NOT_FOUND;
    /* An SSO sign-in is a use of the session (the idle timeout). */
    if (rc == PC_OK)
        rc = pc_session_touch(t, s, pc_now());
    if (rc == PC_OK)
        rc = pc_db_get(NULL, PC_ENT_USER, t->id, "id",
                       json_string_value(json_object_get(s, "user_id")), &u);
    if (rc == PC_OK && !pc_iam_user_active(u, pc_now()))
        rc = PC_ERR_NOT_FOUND;
    if (rc != PC_OK) {
        json_decref(s);
        json_decref(u);
        return rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
    }
    *session = s;
    *user = u;
    return PC_OK;
}

pc_status pc_browser_session_open(const pc_login_attempt *a, const char *user_id, const json_t *amr,
                                  char **secret)
{
    char *s = pc_random_token(SECRET_BYTES), *hash = pc_sha256_hex(s), sid[37];
    json_t *pwd = json_pack("[s]", "pwd");
    pc_status rc = pc_login_open_session(a, user_id, amr ? amr : pwd, pc_now(), hash, sid);

    json_decref(pwd);
    free(hash);
    if (rc != PC_OK) {
        pc_free_secret(s);
        return rc;
    }
    *secret = s;
    return PC_OK;
}

pc_status pc_browser_session_signed_in(const pc_login_attempt *a, const char *user_id,
                                       const json_t *amr, const char *secret, char **new_secret)
{
    json_t *s = NULL, *u = NULL, *patch;
    pc_status rc;

    *new_secret = NULL;
    if (pc_browser_session_find(a->tenant, secret, &s, &u) != PC_OK ||
        strcmp(json_string_value(json_object_get(s, "user_id")), user_id) != 0) {
        json_decref(s);
        json_decref(u);
        return pc_browser_session_open(a, user_id, amr, new_secret);
    }
    /* OIDC Core §3.1.2.1 prompt=login / max_age: the same session, signed in again. */
    patch = amr ? json_pack("{s:I,s:O}", "auth_time", (json_int_t)pc_now(), "amr", amr)
                : json_pack("{s:I,s:[s]}", "auth_time", (json_int_t)pc_now(), "amr", "pwd");
    json_object_set_new(patch, "idp", a->provider ? json_string(a->provider) : json_null());
    rc = pc_db_update(NULL, PC_ENT_SESSION, a->tenant->id,
                      json_string_value(json_object_get(s, "id")), patch, NULL, 0);
    if (rc == PC_OK)
        pc_login_audit_success(NULL, a, user_id);
    json_decref(patch);
    json_decref(s);
    json_decref(u);
    return rc;
}

char *pc_authz_seal(const pc_tenant *t, json_t *req)
{
    char *text, *sealed = NULL;

    json_object_set_new(req, "exp", json_integer(pc_now() + PC_AUTHZ_FORM_TTL));
    text = json_dumps(req, JSON_COMPACT);
    /* The tenant id as associated data: a form of one tenant is void in another. */
    if (text == NULL || pc_seal(pc_srv->master_key, t->id, text, strlen(text), &sealed) != PC_OK)
        sealed = NULL;
    free(text);
    return sealed;
}

json_t *pc_authz_unseal(const pc_tenant *t, const char *sealed)
{
    uint8_t *plain = NULL;
    size_t len = 0;
    json_t *req;

    if (sealed == NULL || strlen(sealed) > 16384 ||
        pc_unseal(pc_srv->master_key, t->id, sealed, &plain, &len) != PC_OK)
        return NULL;
    req = json_loadb((const char *)plain, len, 0, NULL);
    free(plain);
    if (!json_is_object(req) || json_integer_value(json_object_get(req, "exp")) < pc_now()) {
        json_decref(req);
        return NULL;
    }
    return req;
}
