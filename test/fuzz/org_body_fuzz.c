/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the organization body checks (API.md §18): pc_api_body_validate with the fields of
 * POST and PATCH /organizations, then pc_org_fields_problem (core/iam/orgs.c). Input: the
 * request body. A body both accept holds a slug of the tenant slug rule, a name of 1 to 200
 * bytes and an https:// logo_url without spaces or control characters; a refusal names a field.
 */
#include "fuzz_support.h"
#include "api/api.h"
#include "iam/orgs.h"

static const pc_field fields[] = {
    {"slug", PC_F_STRING, 1}, {"name", PC_F_STRING, 1}, {"logo_url", PC_F_NULLABLE_STRING, 0}};
#define NFIELDS (sizeof fields / sizeof fields[0])

static void check_slug(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);

    FUZZ_ASSERT(s != NULL && n >= 1 && n <= 63 && strlen(s) == n);
    FUZZ_ASSERT(s[0] != '-');
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-');
}

static void check_accepted(const json_t *body)
{
    const json_t *slug = json_object_get(body, "slug"), *name = json_object_get(body, "name");
    const json_t *logo = json_object_get(body, "logo_url");

    if (slug != NULL)
        check_slug(slug);
    if (name != NULL)
        FUZZ_ASSERT(json_string_length(name) >= 1 && json_string_length(name) <= 200);
    if (logo != NULL && !json_is_null(logo)) {
        const char *u = json_string_value(logo);
        FUZZ_ASSERT(strncmp(u, "https://", 8) == 0 && strlen(u) > 8);
        for (const char *c = u; *c; c++)
            FUZZ_ASSERT((unsigned char)*c > ' ' && *c != 0x7f);
    }
}

static void check(json_t *body)
{
    const char *field = NULL, *problem;

    if (body == NULL)
        return;
    problem = pc_org_fields_problem(body, &field);
    if (problem == NULL)
        check_accepted(body);
    else
        FUZZ_ASSERT(field != NULL && json_object_get(body, field) != NULL);
    json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int partial = 0; partial <= 1; partial++) {
        pc_body_problem p = {0};
        json_t *body = pc_api_body_validate((const char *)data, size, fields, NFIELDS, partial, &p);

        if (body == NULL)
            json_decref(p.fields);
        check(body);
    }
    return 0;
}
