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

/* Keys of `body` that are not in `fields` (new object, possibly empty). */
static json_t *unknown_fields(const json_t *body, const pc_field *fields, size_t n)
{
    json_t *bad = json_object(), *v;
    const char *key;

    json_object_foreach ((json_t *)body, key, v)
        if (find_field(fields, n, key) == NULL)
            json_object_set_new(bad, key, json_string("unexpected"));
    return bad;
}

static json_t *missing_fields(const json_t *body, const pc_field *fields, size_t n)
{
    json_t *bad = json_object();

    for (size_t i = 0; i < n; i++)
        if (fields[i].required && json_object_get(body, fields[i].name) == NULL)
            json_object_set_new(bad, fields[i].name, json_string("required"));
    return bad;
}

static json_t *mistyped_fields(const json_t *body, const pc_field *fields, size_t n)
{
    json_t *bad = json_object(), *v;
    const char *key;

    json_object_foreach ((json_t *)body, key, v) {
        const char *problem = type_problem(find_field(fields, n, key), v);
        if (problem != NULL)
            json_object_set_new(bad, key, json_string(problem));
    }
    return bad;
}

/* 1 if `bad` names no field (and is freed); else 0 with the problem set (it takes `bad`). */
static int none_bad(json_t *bad, pc_api_code code, const char *message, pc_body_problem *problem)
{
    if (json_object_size(bad) == 0) {
        json_decref(bad);
        return 1;
    }
    problem->code = code;
    problem->message = message;
    problem->fields = bad;
    return 0;
}

json_t *pc_api_body_validate(const char *text, size_t len, const pc_field *fields, size_t n,
                             int partial, pc_body_problem *problem)
{
    json_t *body;

    problem->code = PC_API_INVALID;
    problem->fields = NULL;
    if (text == NULL || len == 0) {
        problem->message = "A JSON object body is required";
        return NULL;
    }
    /* jansson rejects invalid UTF-8 and, with this flag, duplicate keys. */
    body = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        problem->message = "The body is not a well-formed JSON object";
        return NULL;
    }
    /* Unknown fields first, so that every later check finds each key in `fields`. */
    if (!none_bad(unknown_fields(body, fields, n), PC_API_UNEXPECTED_FIELDS,
                  "The request has fields this endpoint does not accept", problem) ||
        (!partial && !none_bad(missing_fields(body, fields, n), PC_API_MISSING_FIELDS,
                               "Required fields are missing", problem)) ||
        !none_bad(mistyped_fields(body, fields, n), PC_API_INVALID, "Fields have invalid values",
                  problem)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

static json_t *parse_body(pc_req *rq, const pc_field *fields, size_t n, int partial)
{
    size_t len;
    const char *text = pc_req_body(rq, &len);
    pc_body_problem problem;
    json_t *body = pc_api_body_validate(text, len, fields, n, partial, &problem);

    if (body == NULL)
        pc_api_error(rq, problem.code, problem.message, problem.fields);
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
