/* SPDX-License-Identifier: Apache-2.0 */
/* Signed request objects (RFC 9101 §6): verified with the client's own keys, claims become parameters. */
#include "oauth2/par.h"
#include "oauth2/client_keys.h"
#include "server/server.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>

#define MAX_PARAM 2048

const char *const pc_authz_param_names[] = {
    "response_type", "client_id",  "redirect_uri",          "scope",    "state",
    "nonce",         "prompt",     "code_challenge",        "max_age",  "login_hint",
    "ui_locales",    "acr_values", "code_challenge_method", "dpop_jkt", NULL};

static int str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && s != NULL && strcmp(json_string_value(v), s) == 0;
}

static int audience_ok(const json_t *aud, const char *issuer)
{
    size_t i;
    json_t *v;

    if (aud == NULL || str_is(aud, issuer))
        return 1;
    json_array_foreach (aud, i, v)
        if (str_is(v, issuer))
            return 1;
    return 0;
}

static const char *claims_problem(const json_t *c, const char *client_id, const char *issuer)
{
    const json_t *exp = json_object_get(c, "exp");

    /* RFC 9101 §5: client_id inside must be the client's; §10.2 iss is the client */
    if (!str_is(json_object_get(c, "client_id"), client_id))
        return "the request object's client_id must be the client's";
    if (json_object_get(c, "iss") != NULL && !str_is(json_object_get(c, "iss"), client_id))
        return "the request object's iss must be the client_id";
    if (!audience_ok(json_object_get(c, "aud"), issuer))
        return "the request object's aud must be the issuer";
    if (exp != NULL && (!json_is_number(exp) || json_number_value(exp) <= (double)pc_now()))
        return "the request object is expired";
    /* RFC 9101 §5: request objects are never nested */
    if (json_object_get(c, "request") != NULL || json_object_get(c, "request_uri") != NULL)
        return "a request object cannot carry request or request_uri";
    return NULL;
}

/* Only known parameters cross over, as strings (max_age may be a JSON number). */
static json_t *params_of(const json_t *claims)
{
    json_t *p = json_object();
    char num[32];

    for (size_t i = 0; pc_authz_param_names[i] != NULL; i++) {
        const json_t *v = json_object_get(claims, pc_authz_param_names[i]);
        if (json_is_string(v) && json_string_length(v) <= MAX_PARAM) {
            json_object_set(p, pc_authz_param_names[i], (json_t *)v);
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            json_object_set_new(p, pc_authz_param_names[i], json_string(num));
        }
    }
    return p;
}

pc_status pc_oauth2_request_object(const json_t *app, const char *jwt, const char *issuer,
                                   json_t **params, const char **why)
{
    json_t *claims = NULL;
    pc_status rc;

    *params = NULL;
    *why = "the request object's signature does not verify with the client's keys";
    rc = pc_oauth2_client_jwt_verify(app, jwt, NULL, &claims);
    if (rc != PC_OK)
        return PC_ERR_DENIED;
    *why = claims_problem(claims, json_string_value(json_object_get(app, "client_id")), issuer);
    if (*why == NULL)
        *params = params_of(claims);
    json_decref(claims);
    return *why == NULL ? PC_OK : PC_ERR_DENIED;
}
