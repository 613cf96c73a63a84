/* SPDX-License-Identifier: Apache-2.0 */
/* What the MFA endpoints of the management API share: bodies, error mapping, a throttled code check. */
#include "api/mfa_api.h"
#include "oauth2/mfa_token.h"
#include "server/store.h"
#include "util/log.h"

#include <stdio.h>

json_t *pc_api_optional_body(pc_req *rq)
{
    size_t len;
    const char *text = pc_req_body(rq, &len);
    json_t *body;

    if (text == NULL || len == 0)
        return json_object();
    body = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        pc_api_error(rq, PC_API_INVALID, "The body is not a well-formed JSON object", NULL);
        return NULL;
    }
    return body;
}

void pc_api_rate_limited(pc_req *rq, int64_t retry_after)
{
    char retry[24];

    snprintf(retry, sizeof retry, "%lld", (long long)(retry_after > 0 ? retry_after : 1));
    pc_reply_header(rq, "Retry-After", retry);
    pc_api_error(rq, PC_API_RATE_LIMITED, "Too many attempts; retry later", NULL);
}

void pc_api_mfa_error(pc_req *rq, pc_status rc, const json_t *fields)
{
    switch (rc) {
    case PC_ERR_NOT_FOUND:
        pc_api_error(rq, PC_API_NOT_FOUND, "No such multi-factor method", NULL);
        break;
    case PC_ERR_CONFLICT:
        pc_api_error(rq, PC_API_CONFLICT, "This method is already enabled; disable it first", NULL);
        break;
    case PC_ERR_INVALID:
        pc_api_error(rq, PC_API_INVALID, "Invalid value",
                     json_is_object(fields) ? json_deep_copy(fields) : NULL);
        break;
    case PC_ERR_DENIED:
        pc_api_error(rq, PC_API_BAD_CODE, "The code is wrong, expired or already used",
                     json_pack("{s:s}", "code", "wrong"));
        break;
    case PC_ERR_LIMIT: pc_api_rate_limited(rq, PC_MFA_RESEND_RETRY); break;
    case PC_ERR_UNAVAILABLE:
        pc_api_error(rq, PC_API_DELIVERY, "The code could not be sent; try again later", NULL);
        break;
    default: pc_api_store_error(rq, rc, NULL);
    }
}

pc_status pc_api_mfa_checked(pc_req *rq, const pc_mfa_actor *a, const json_t *factor,
                             const char *code, pc_api_mfa_then then, const pc_principal *p,
                             const json_t *factors)
{
    pc_store_tx *tx = NULL;
    int64_t retry = 0;
    pc_status rc, vrc = PC_ERR_INTERNAL;

    if (pc_mfa_throttle_check(a, &retry) != PC_OK) {
        pc_api_rate_limited(rq, retry);
        return PC_ERR_LIMIT;
    }
    rc = pc_db_begin(&tx);
    if (rc == PC_OK)
        rc = vrc =
            pc_mfa_verify_in(tx, a, json_string_value(json_object_get(factor, "id")), code, NULL);
    if (rc == PC_OK)
        rc = then(tx, rq, p, factors, factor);
    /* A refused code still commits: the scheme's counters and replay markers must stick. */
    if (rc == PC_ERR_DENIED || rc == PC_ERR_LIMIT)
        rc = pc_api_finish(tx, PC_OK) == PC_OK ? vrc : PC_ERR_STORAGE;
    else
        rc = pc_api_finish(tx, rc);
    pc_mfa_throttle_result(a, rc);
    if (rc == PC_ERR_LIMIT)
        pc_api_rate_limited(rq, 3600);
    else if (rc != PC_OK)
        pc_api_mfa_error(rq, rc, NULL);
    return rc;
}

void pc_api_mfa_check(pc_req *rq, const pc_mfa_actor *a, const json_t *factor, const char *code,
                      pc_api_mfa_then then, const pc_principal *p, const json_t *factors)
{
    if (pc_api_mfa_checked(rq, a, factor, code, then, p, factors) == PC_OK)
        pc_reply_empty(rq, 204);
}
