/* SPDX-License-Identifier: Apache-2.0 */
/* The value rules of a user's fields (API.md §11), turning a request body into store columns. */
#ifndef PC_API_USER_VALUES_H
#define PC_API_USER_VALUES_H
#include "api/api.h"

/** Serialised size limit of `attributes` (API.md §11). */
#define PC_API_MAX_ATTRIBUTES 8192

/** The fields of POST /users (PATCH takes the same, none required). */
extern const pc_field pc_api_user_fields[];
extern const size_t pc_api_user_nfields;

/**
 * Check the values of a parsed user body (types already checked) and return the
 * store columns it sets (new): emails lowercased, times as Unix seconds. On a bad
 * value replies 400 AUT-0009 naming every bad field (or AUT-0016 for too many
 * roles) and returns NULL. The password is checked, not copied.
 */
json_t *pc_api_user_columns(pc_req *rq, const json_t *body);
/** Is this a plausible email address (one @, something either side, no spaces)? */
int pc_api_user_email_valid(const char *email);
/** Why this password is refused in this tenant (built-in rules, password_min_length), or NULL. */
const char *pc_api_password_problem(const pc_tenant *t, const char *password);
#endif
