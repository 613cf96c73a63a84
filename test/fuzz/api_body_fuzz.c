/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the management API's body validation (core/api/body.c, pc_api_body_validate) with
 * a field table of every type. Input: the request body. Both the POST (required fields) and
 * the PATCH (none required) rules run, and their verdicts must agree with each other.
 */
#include "fuzz_support.h"
#include "api/api.h"

static const pc_field fields[] = {
    {"username", PC_F_STRING, 1}, {"email", PC_F_NULLABLE_STRING, 0},
    {"enabled", PC_F_BOOL, 0},    {"redirect_uris", PC_F_STRINGS, 1},
    {"metadata", PC_F_OBJECT, 0},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const pc_field *field(const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static int type_ok(pc_field_type t, const json_t *v)
{
    size_t i;
    json_t *item;

    switch (t) {
    case PC_F_STRING: return json_is_string(v);
    case PC_F_NULLABLE_STRING: return json_is_string(v) || json_is_null(v);
    case PC_F_BOOL: return json_is_boolean(v);
    case PC_F_OBJECT: return json_is_object(v);
    case PC_F_ANY: return v != NULL;
    case PC_F_STRINGS:
        json_array_foreach (v, i, item)
            if (!json_is_string(item))
                return 0;
        return json_is_array(v);
    }
    return 0;
}

/* An accepted body holds only known fields of the right types (and every required one). */
static void check_accepted(const json_t *body, int partial)
{
    const char *key;
    json_t *v;

    FUZZ_ASSERT(json_is_object(body));
    json_object_foreach ((json_t *)body, key, v) {
        const pc_field *f = field(key);
        FUZZ_ASSERT(f != NULL && type_ok(f->type, v));
    }
    for (size_t i = 0; i < NFIELDS && !partial; i++)
        FUZZ_ASSERT(!fields[i].required || json_object_get(body, fields[i].name) != NULL);
}

/* A refusal names its culprits: only fields it has a reason for, under the API's codes. */
static void check_refused(const pc_body_problem *p)
{
    FUZZ_ASSERT(p->message != NULL);
    FUZZ_ASSERT(p->code == PC_API_INVALID || p->code == PC_API_UNEXPECTED_FIELDS ||
                p->code == PC_API_MISSING_FIELDS);
    FUZZ_ASSERT(p->fields == NULL || json_object_size(p->fields) > 0);
    if (p->code == PC_API_MISSING_FIELDS || p->code == PC_API_UNEXPECTED_FIELDS)
        FUZZ_ASSERT(p->fields != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pc_body_problem post, patch;
    json_t *full = pc_api_body_validate((const char *)data, size, fields, NFIELDS, 0, &post);
    json_t *partial = pc_api_body_validate((const char *)data, size, fields, NFIELDS, 1, &patch);

    if (full != NULL)
        check_accepted(full, 0);
    else
        check_refused(&post);
    if (partial != NULL)
        check_accepted(partial, 1);
    else
        check_refused(&patch);
    /* Required fields are the only difference between the two rules. */
    FUZZ_ASSERT(full == NULL || json_equal(full, partial));
    FUZZ_ASSERT(partial != NULL || full == NULL);
    if (partial == NULL)
        FUZZ_ASSERT(post.code == patch.code ||
                    (post.code == PC_API_MISSING_FIELDS && patch.code == PC_API_INVALID));
    if (full == NULL && partial != NULL)
        FUZZ_ASSERT(post.code == PC_API_MISSING_FIELDS);
    if (full == NULL)
        json_decref(post.fields);
    if (partial == NULL)
        json_decref(patch.fields);
    json_decref(full);
    json_decref(partial);
    return 0;
}
