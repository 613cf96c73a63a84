/* SPDX-License-Identifier: Apache-2.0 */
/* private_key_jwt (RFC 7523 §3): the assertion's signature, issuer, audience, lifetime and one-time jti. */
#include "oauth2/client_assertion.h"
#include "jose/jose.h"
#include "oauth2/client_keys.h"
#include "oauth2/jti.h"
#include "server/server.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>

#include <string.h>

/* Clock difference tolerated between the client and us (seconds). */
#define SKEW 60
/* RFC 7523 §3 item 4 lets us limit how far exp may be: an hour bounds the jti store. */
#define MAX_LIFETIME 3600
#define MAX_JTI 256

char *pc_oauth2_assertion_client_id(const char *assertion)
{
    json_t *claims = NULL;
    char *id = NULL;

    if (pc_jose_peek(assertion, NULL, &claims) == PC_OK &&
        json_is_string(json_object_get(claims, "sub")))
        id = pc_strdup(json_string_value(json_object_get(claims, "sub")));
    json_decref(claims);
    return id;
}

static int str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && s != NULL && strcmp(json_string_value(v), s) == 0;
}

/* RFC 7523 §3 item 3: aud identifies us, as the issuer or the endpoint (API.md §19). */
static int audience_ok(const json_t *aud, const char *issuer, const char *endpoint_url)
{
    size_t i;
    json_t *v;

    if (json_is_string(aud))
        return str_is(aud, issuer) || str_is(aud, endpoint_url);
    json_array_foreach (aud, i, v)
        if (str_is(v, issuer) || str_is(v, endpoint_url))
            return 1;
    return 0;
}

/* RFC 7523 §3 items 4-6: a NumericDate claim that, when present, is on the right side of now. */
static int time_ok(const json_t *claims, const char *name, int required, int64_t now)
{
    const json_t *v = json_object_get(claims, name);

    if (v == NULL)
        return !required;
    if (!json_is_integer(v) && !json_is_real(v))
        return 0;
    if (strcmp(name, "exp") == 0)
        return json_number_value(v) > (double)(now - SKEW) &&
               json_number_value(v) <= (double)(now + MAX_LIFETIME);
    return json_number_value(v) <= (double)(now + SKEW); /* nbf, iat */
}

static const char *claims_problem(const json_t *c, const char *client_id, const char *issuer,
                                  const char *endpoint_url, int64_t now)
{
    const json_t *jti = json_object_get(c, "jti");

    /* RFC 7523 §3 items 1-2: the client is both issuer and subject */
    if (!str_is(json_object_get(c, "iss"), client_id) ||
        !str_is(json_object_get(c, "sub"), client_id))
        return "the client assertion's iss and sub must be the client_id";
    if (!audience_ok(json_object_get(c, "aud"), issuer, endpoint_url))
        return "the client assertion's aud must be the issuer or the endpoint URL";
    if (!time_ok(c, "exp", 1, now))
        return "the client assertion is expired, or its exp is more than an hour away";
    if (!time_ok(c, "nbf", 0, now) || !time_ok(c, "iat", 0, now))
        return "the client assertion is not valid yet";
    /* RFC 7523 §3 item 7: the jti lets us refuse a replay; we require it */
    if (!json_is_string(jti) || json_string_length(jti) == 0 || json_string_length(jti) > MAX_JTI)
        return "the client assertion must carry a jti";
    return NULL;
}

#define SECRET_AAD "client-secret:"

char *pc_client_secret_seal(const char *app_id, const char *secret)
{
    char *aad = pc_asprintf(SECRET_AAD "%s", app_id ? app_id : ""), *sealed = NULL;

    if (pc_seal(pc_srv->master_key, aad, secret, strlen(secret), &sealed) != PC_OK)
        sealed = NULL;
    free(aad);
    return sealed;
}

/* RFC 7523 §2.2 with client_secret_jwt: an HS256 MAC keyed by the client secret. */
static pc_status verify_mac(const json_t *app, const char *assertion, json_t **claims)
{
    const char *sealed = json_string_value(json_object_get(app, "secret_enc"));
    char *aad;
    uint8_t *secret = NULL;
    size_t len = 0;
    pc_status rc;

    if (sealed == NULL) /* a secret from before the method was chosen: rotate it */
        return PC_ERR_DENIED;
    aad = pc_asprintf(SECRET_AAD "%s", json_string_value(json_object_get(app, "id")));
    rc = pc_unseal(pc_srv->master_key, aad, sealed, &secret, &len);
    free(aad);
    if (rc != PC_OK)
        return PC_ERR_DENIED;
    rc = pc_jose_verify_hs256((const char *)secret, assertion, claims);
    pc_free_secret((char *)secret);
    return rc;
}

static pc_status verify_signature(const json_t *app, const char *assertion, json_t **claims)
{
    const char *m = json_string_value(json_object_get(app, "token_endpoint_auth_method"));

    if (m != NULL && strcmp(m, "client_secret_jwt") == 0)
        return verify_mac(app, assertion, claims);
    return pc_oauth2_client_jwt_verify(app, assertion, NULL, claims);
}

pc_status pc_oauth2_assertion_check(const json_t *app, const char *assertion, const char *issuer,
                                    const char *endpoint_url, int64_t now, json_t **claims,
                                    const char **why)
{
    *claims = NULL;
    *why = "the client assertion's signature does not verify with the client's keys or secret";
    if (verify_signature(app, assertion, claims) != PC_OK) {
        json_decref(*claims);
        *claims = NULL;
        return PC_ERR_DENIED;
    }
    *why = claims_problem(*claims, json_string_value(json_object_get(app, "client_id")), issuer,
                          endpoint_url, now);
    if (*why == NULL)
        return PC_OK;
    json_decref(*claims);
    *claims = NULL;
    return PC_ERR_DENIED;
}

pc_status pc_oauth2_assertion_verify(const pc_tenant *t, const json_t *app, const char *assertion,
                                     const char *endpoint_url, const char **why)
{
    json_t *claims = NULL;
    pc_status rc =
        pc_oauth2_assertion_check(app, assertion, t->issuer, endpoint_url, pc_now(), &claims, why);

    if (rc != PC_OK)
        return rc;
    rc = pc_oauth2_jti_use(t->id, "assertion", json_string_value(json_object_get(app, "client_id")),
                           json_string_value(json_object_get(claims, "jti")),
                           (int64_t)json_number_value(json_object_get(claims, "exp")) + SKEW);
    if (rc == PC_ERR_CONFLICT) {
        *why = "the client assertion's jti was used already";
        rc = PC_ERR_DENIED;
    }
    json_decref(claims);
    return rc;
}
