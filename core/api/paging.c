/* SPDX-License-Identifier: Apache-2.0 */
/* Cursor pagination and time rendering for management API lists. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LIMIT 200

int pc_api_page(pc_req *rq, unsigned *limit, const char **cursor)
{
    const char *l = pc_req_param(rq, "limit");
    char *end;
    long v;

    *limit = 50;
    *cursor = pc_req_param(rq, "cursor");
    if (*cursor != NULL && **cursor == '\0')
        *cursor = NULL;
    if (l == NULL)
        return 1;
    v = strtol(l, &end, 10);
    if (*end != '\0' || v < 1 || v > MAX_LIMIT) {
        pc_api_invalid_field(rq, "limit", "must be an integer from 1 to 200");
        return 0;
    }
    *limit = (unsigned)v;
    return 1;
}

void pc_api_reply_page(pc_req *rq, json_t *rows, unsigned limit,
                       json_t *(*render)(const json_t *row, void *ctx), void *ctx)
{
    json_t *items = json_array(), *row, *view, *next = json_null();
    size_t i;

    json_array_foreach (rows, i, row) {
        if (i == limit) {
            /* One row beyond the page: there is more, starting after the last shown. */
            next = json_incref(json_object_get(json_array_get(rows, limit - 1), "id"));
            break;
        }
        if ((view = render(row, ctx)) == NULL) {
            json_decref(items);
            items = NULL;
            break;
        }
        json_array_append_new(items, view);
    }
    json_decref(rows);
    pc_api_reply_view(rq, 200,
                      items ? json_pack("{s:o,s:o}", "items", items, "next_cursor", next) : NULL);
    if (items == NULL)
        json_decref(next);
}

void pc_api_reply_view(pc_req *rq, int status, json_t *view)
{
    if (view == NULL)
        pc_api_store_error(rq, PC_ERR_STORAGE, NULL);
    else
        pc_reply_json(rq, status, view);
}

json_t *pc_api_time(const json_t *unix_seconds)
{
    time_t t = (time_t)json_integer_value(unix_seconds);
    struct tm tm;
    char buf[32];

    if (!json_is_integer(unix_seconds) || t == 0)
        return json_null();
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

int64_t pc_api_parse_time(const char *s)
{
    struct tm tm;
    char *end;
    long long v = strtoll(s, &end, 10);

    if (*s != '\0' && *end == '\0')
        return v >= 0 ? v : -1;
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL || (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0))
        return -1;
    return (int64_t)timegm(&tm);
}
