/* SPDX-License-Identifier: Apache-2.0 */
/* Application fields of issue #18's client authentication and pushed requests: validation and view. */
#ifndef PC_API_APP_PROTOCOL_H
#define PC_API_APP_PROTOCOL_H
#include <jansson.h>

/** The body fields (pc_field) these features add, for the application endpoints' field list. */
/* clang-format off */
#define PC_API_APP_PROTOCOL_FIELDS                                                                 \
    {"token_endpoint_auth_method", PC_F_NULLABLE_STRING, 0},                                       \
    {"jwks", PC_F_ANY, 0},                                                                         \
    {"jwks_uri", PC_F_NULLABLE_STRING, 0},                                                         \
    {"require_par", PC_F_BOOL, 0},                                                                 \
    {"backchannel_logout_uri", PC_F_NULLABLE_STRING, 0}
/* clang-format on */

/** The first invalid value of these fields in the merged record `app` (*field set), or NULL. */
const char *pc_api_app_protocol_problem(const json_t *app, const char **field);

/**
 * Keep the sealed copy of a new client secret (`secret`, or NULL when none is
 * new) that client_secret_jwt needs, and only while the application uses it:
 * sets or clears `secret_enc` in `rec`.
 */
void pc_api_app_protocol_secret(json_t *rec, const char *secret);
/** Does the application prove itself with its keys only (private_key_jwt), holding no secret? */
int pc_api_app_keys_only(const json_t *app);

/** Add these fields to an application's view `v`. */
void pc_api_app_protocol_view(json_t *v, const json_t *app);
#endif
