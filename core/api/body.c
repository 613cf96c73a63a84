/* SPDX-License-Identifier: Apache-2.0 */
/* Request bodies of the management API: parsed, checked field by field, errors naming culprits. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

static const pc_field *find_field(const pc_field *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static const char *type_problem(const pc_field *f, const json_t *v)
{
    size_t i;
    json_t *item;

    switch (f->type) {
    case PC_F_STRING: return json_is_string(v) ? NULL : "must be a string";
    case PC_F_NULLABLE_STRING:
        return json_is_string(v) || json_is_null(v) ? NULL : "must be a string or null";
    case PC_F_BOOL: return json_is_boolean(v) ? NULL : "must be true or false";
    case PC_F_OBJECT: return json_is_object(v) ? NULL : "must be an object";
    case PC_F_ANY: return NULL;
    case PC_F_STRINGS:
        if (!json_is_array(v))
            return "must be an array of strings";
        json_array_foreach (v, i, item)
            if (!json_is_string(item))
                return "must be an array of strings";
        return NULL;
    }
    return "has an unknown type";
}

/* Check one rule over every field; on a finding reply and return 0. */
static int check_unknown(pc_req *rq, const json_t *body, const pc_field *fields, size_t n)
{
    json_t *bad = json_object(), *v;
    const char *key;

    json_object_foreach ((json_t *)body, key, v)
        if (find_field(fields, n, key) == NULL)
            json_object_set_new(bad, key, json_string("unexpected"));
    if (json_object_size(bad) == 0) {
        json_decref(bad);
        return 1;
    }
    pc_api_error(rq, PC_API_UNEXPECTED_FIELDS,
                 "The request has fields this endpoint does not accept", bad);
    return 0;
}

static int check_required(pc_req *rq, const json_t *body, const pc_field *fields, size_t n)
{
    json_t *bad = json_object();

    for (size_t i = 0; i < n; i++)
        if (fields[i].required && json_object_get(body, fields[i].name) == NULL)
            json_object_set_new(bad, fields[i].name, json_string("required"));
    if (json_object_size(bad) == 0) {
        json_decref(bad);
        return 1;
    }
    pc_api_error(rq, PC_API_MISSING_FIELDS, "Required fields are missing", bad);
    return 0;
}

static int check_types(pc_req *rq, const json_t *body, const pc_field *fields, size_t n)
{
    json_t *bad = json_object(), *v;
    const char *key;

    json_object_foreach ((json_t *)body, key, v) {
        const char *problem = type_problem(find_field(fields, n, key), v);
        if (problem != NULL)
            json_object_set_new(bad, key, json_string(problem));
    }
    if (json_object_size(bad) == 0) {
        json_decref(bad);
        return 1;
    }
    pc_api_error(rq, PC_API_INVALID, "Fields have invalid values", bad);
    return 0;
}

static json_t *parse_body(pc_req *rq, const pc_field *fields, size_t n, int partial)
{
    size_t len;
    const char *text = pc_req_body(rq, &len);
    json_error_t err;
    json_t *body;

    if (text == NULL || len == 0) {
        pc_api_error(rq, PC_API_INVALID, "A JSON object body is required", NULL);
        return NULL;
    }
    /* jansson rejects invalid UTF-8 and, with this flag, duplicate keys. */
    body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        pc_api_error(rq, PC_API_INVALID, "The body is not a well-formed JSON object", NULL);
        return NULL;
    }
    if (!check_unknown(rq, body, fields, n) || (!partial && !check_required(rq, body, fields, n)) ||
        !check_types(rq, body, fields, n)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

json_t *pc_api_body(pc_req *rq, const pc_field *fields, size_t n)
{
    return parse_body(rq, fields, n, 0);
}

json_t *pc_api_body_patch(pc_req *rq, const pc_field *fields, size_t n)
{
    return parse_body(rq, fields, n, 1);
}
