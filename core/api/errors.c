/* SPDX-License-Identifier: Apache-2.0 */
/* The management API's error bodies (API.md §5). */
#include "api/api.h"

#include <string.h>
#include "server/server.h"
#include "util/log.h"

typedef struct catalogue_entry {
    const char *code;
    unsigned status;
    const char *title;
} catalogue_entry;

static const catalogue_entry catalogue[] = {
    [PC_API_MISSING_FIELDS] = {"AUT-0001", 400, "Missing Fields in Request"},
    [PC_API_UNEXPECTED_FIELDS] = {"AUT-0003", 400, "Unexpected Fields in Request"},
    [PC_API_INTERNAL] = {"AUT-0005", 500, "Internal Error"},
    [PC_API_NO_TOKEN] = {"AUT-0006", 401, "Missing Access Token"},
    [PC_API_BAD_TOKEN] = {"AUT-0007", 401, "Invalid Access Token"},
    [PC_API_FORBIDDEN] = {"AUT-0008", 403, "Permission Denied"},
    [PC_API_INVALID] = {"AUT-0009", 400, "Invalid Request"},
    [PC_API_NOT_FOUND] = {"AUT-0010", 404, "Not Found"},
    [PC_API_CONFLICT] = {"AUT-0011", 409, "Conflict"},
    [PC_API_RATE_LIMITED] = {"AUT-0012", 429, "Too Many Requests"},
    [PC_API_BAD_CODE] = {"AUT-0014", 400, "Invalid One-Time Code"},
    [PC_API_WRONG_PASSWORD] = {"AUT-0015", 400, "Wrong Current Password"},
    [PC_API_SUBJECT_UNKNOWN] = {"AUT-1015", 404, "Subject Not Found"},
    [PC_API_LIMIT] = {"AUT-0016", 400, "Limit Exceeded"},
    [PC_API_DELIVERY] = {"AUT-0017", 503, "Delivery Failed"},
    [PC_API_UNAVAILABLE] = {"AUT-0020", 503, "Service Unavailable"},
    [PC_API_STEP_UP] = {"AUT-0019", 401, "Step-Up Required"},
};

void pc_api_error(pc_req *rq, pc_api_code code, const char *message, json_t *fields)
{
    const catalogue_entry *e = &catalogue[code];
    json_t *body = json_pack("{s:s,s:s,s:s}", "code", e->code, "title", e->title, "message",
                             message ? message : e->title);

    if (fields != NULL)
        json_object_set_new(body, "fields", fields);
    if (code == PC_API_NO_TOKEN || code == PC_API_BAD_TOKEN)
        pc_reply_header(rq, "WWW-Authenticate",
                        code == PC_API_NO_TOKEN
                            ? "Bearer realm=\"portcullis\""
                            : "Bearer realm=\"portcullis\", error=\"invalid_token\"");
    if (code == PC_API_UNAVAILABLE)
        pc_reply_header(rq, "Retry-After", PC_STORE_RETRY_AFTER_TEXT);
    pc_reply_json(rq, e->status, body);
}

void pc_api_invalid_field(pc_req *rq, const char *field, const char *reason)
{
    pc_api_error(rq, PC_API_INVALID, "Invalid value", json_pack("{s:s}", field, reason));
}

void pc_api_store_error(pc_req *rq, pc_status rc, const char *conflict)
{
    if (rc == PC_ERR_NOT_FOUND) {
        pc_api_error(rq, PC_API_NOT_FOUND, "No such object", NULL);
    } else if (rc == PC_ERR_CONFLICT && conflict != NULL && strcmp(conflict, "*:*") == 0) {
        /* API.md §11: the tenant keeps an active principal holding *:* */
        pc_api_error(rq, PC_API_CONFLICT,
                     "This would leave the tenant without an active principal holding *:*", NULL);
    } else if (rc == PC_ERR_CONFLICT) {
        pc_api_error(rq, PC_API_CONFLICT, "An object with this value already exists",
                     conflict && *conflict ? json_pack("{s:s}", conflict, "already taken") : NULL);
    } else if (rc == PC_ERR_STORAGE) {
        pc_warn("management API: the store is unavailable on %s", rq->route->path);
        pc_api_error(rq, PC_API_UNAVAILABLE, "The store is unavailable; retry later", NULL);
    } else {
        pc_error("management API: store failure %s on %s", pc_status_str(rc), rq->route->path);
        pc_api_error(rq, PC_API_INTERNAL, "Internal error", NULL);
    }
}
