/* SPDX-License-Identifier: Apache-2.0 */
/* The value rules of a user's fields (API.md §11), turning a request body into store columns. */
#include "api/user_values.h"
#include "iam/users.h"
#include "util/password.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NAME 256
#define MAX_URL 2048

const pc_field pc_api_user_fields[] = {
    {"username", PC_F_STRING, 1},
    {"email", PC_F_NULLABLE_STRING, 0},
    {"password", PC_F_STRING, 0},
    {"name", PC_F_NULLABLE_STRING, 0},
    {"given_name", PC_F_NULLABLE_STRING, 0},
    {"family_name", PC_F_NULLABLE_STRING, 0},
    {"picture", PC_F_NULLABLE_STRING, 0},
    {"phone_number", PC_F_NULLABLE_STRING, 0},
    {"groups", PC_F_STRINGS, 0},
    {"roles", PC_F_STRINGS, 0},
    {"status", PC_F_STRING, 0},
    {"disabled_until", PC_F_ANY, 0},
    {"email_verified", PC_F_BOOL, 0},
    {"attributes", PC_F_ANY, 0},
    {"mfa_enabled", PC_F_ANY, 0},
};
const size_t pc_api_user_nfields = sizeof pc_api_user_fields / sizeof *pc_api_user_fields;

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Text fields: length and no control characters; `empty_ok` for optional ones. */
static void check_text(const json_t *body, const char *field, int empty_ok, json_t *bad)
{
    const char *s = json_string_value(json_object_get(body, field));

    if (s != NULL && ((!empty_ok && *s == '\0') || strlen(s) > MAX_NAME || has_control(s)))
        json_object_set_new(bad, field, json_string("must be 1 to 256 characters, no controls"));
}

int pc_api_user_email_valid(const char *email)
{
    const char *at = email ? strchr(email, '@') : NULL;

    return at != NULL && at != email && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strlen(email) <= MAX_NAME && !has_control(email) && strchr(email, ' ') == NULL;
}

/* API.md §11: an absolute https:// URL with a host. */
static int picture_valid(const char *url)
{
    const char *host = url + 8;

    return strncmp(url, "https://", 8) == 0 && strlen(url) <= MAX_URL && *host != '\0' &&
           *host != '/' && !has_control(url) && strpbrk(url, " \"<>\\") == NULL;
}

/* Fields whose value is checked by more than its type. */
static void check_special(const json_t *body, json_t *bad, json_t *cols)
{
    const json_t *v;
    const char *s;
    char *text;
    int64_t t;

    s = json_string_value(json_object_get(body, "email"));
    if (s != NULL && !pc_api_user_email_valid(s))
        json_object_set_new(bad, "email", json_string("must be an email address"));
    s = json_string_value(json_object_get(body, "picture"));
    if (s != NULL && !picture_valid(s))
        json_object_set_new(bad, "picture", json_string("must be an absolute https:// URL"));
    s = json_string_value(json_object_get(body, "status"));
    if (s != NULL && strcmp(s, "active") != 0 && strcmp(s, "disabled") != 0)
        json_object_set_new(bad, "status", json_string("must be active or disabled"));
    if (json_object_get(body, "mfa_enabled") != NULL)
        json_object_set_new(bad, "mfa_enabled", json_string("is read-only"));
    v = json_object_get(body, "disabled_until");
    if (v != NULL && !json_is_null(v)) {
        t = json_is_string(v) ? pc_api_parse_time(json_string_value(v)) : -1;
        if (t < 0)
            json_object_set_new(bad, "disabled_until", json_string("must be RFC 3339 or null"));
        else
            json_object_set_new(cols, "disabled_until", json_integer(t));
    }
    v = json_object_get(body, "attributes");
    if (v != NULL && !json_is_null(v)) {
        text = json_is_object(v) ? json_dumps(v, JSON_COMPACT) : NULL;
        if (text == NULL || strlen(text) > PC_API_MAX_ATTRIBUTES)
            json_object_set_new(bad, "attributes",
                                json_string("must be a JSON object of at most 8 KiB"));
        free(text);
    }
}

/* Copy what the body sets straight into columns (emails in their stored form). */
static void copy_columns(const json_t *body, json_t *cols)
{
    static const char *const plain[] = {"username", "name",         "given_name", "family_name",
                                        "picture",  "phone_number", "status",     "email_verified"};
    const json_t *v;
    char *email;

    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if ((v = json_object_get(body, plain[i])) != NULL)
            json_object_set(cols, plain[i], (json_t *)v);
    if ((v = json_object_get(body, "disabled_until")) != NULL && json_is_null(v))
        json_object_set_new(cols, "disabled_until", json_null());
    if ((v = json_object_get(body, "attributes")) != NULL)
        json_object_set_new(cols, "attributes",
                            json_is_null(v) ? json_object() : json_incref((json_t *)v));
    if ((v = json_object_get(body, "email")) != NULL) {
        email = pc_iam_email_normal(json_string_value(v));
        json_object_set_new(cols, "email", email ? json_string(email) : json_null());
        free(email);
    }
}

json_t *pc_api_user_columns(pc_req *rq, const json_t *body)
{
    json_t *bad = json_object(), *cols = json_object();
    const char *password = json_string_value(json_object_get(body, "password"));
    const char *problem;

    check_text(body, "username", 0, bad);
    check_text(body, "name", 1, bad);
    check_text(body, "given_name", 1, bad);
    check_text(body, "family_name", 1, bad);
    check_text(body, "phone_number", 1, bad);
    check_special(body, bad, cols);
    if (password != NULL && (problem = pc_api_password_problem(rq->tenant, password)) != NULL)
        json_object_set_new(bad, "password", json_string(problem));
    if (json_object_size(bad) > 0) {
        pc_api_error(rq, PC_API_INVALID, "Fields have invalid values", bad);
        json_decref(cols);
        return NULL;
    }
    json_decref(bad);
    if ((int64_t)json_array_size(json_object_get(body, "roles")) > rq->tenant->max_roles_per_user) {
        pc_api_error(rq, PC_API_LIMIT, "Too many roles for one user",
                     json_pack("{s:s}", "roles", "limit exceeded"));
        json_decref(cols);
        return NULL;
    }
    copy_columns(body, cols);
    return cols;
}

const char *pc_api_password_problem(const pc_tenant *t, const char *password)
{
    const char *problem = pc_password_problem(password);

    if (problem != NULL)
        return problem;
    /* API.md §13: password_min_length, counted in characters (UTF-8 code points). */
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)password; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    if ((int64_t)chars < t->password_min_length)
        return "is shorter than the tenant's password_min_length";
    return NULL;
}
