/* SPDX-License-Identifier: Apache-2.0 */
/* Pushed authorization requests (RFC 9126) and signed request objects (RFC 9101). */
#ifndef PC_OAUTH2_PAR_H
#define PC_OAUTH2_PAR_H
#include <jansson.h>
#include <portcullis/status.h>
#include "iam/tenant.h"

/** RFC 9126 §2.2: the prefix of the request_uri values this server issues. */
#define PC_PAR_URN "urn:ietf:params:oauth:request_uri:"
/** RFC 9126 §2.2: how long a request_uri lives (seconds). */
#define PC_PAR_TTL 60

/** The authorization request parameters the server reads (what a push or request object may carry). */
extern const char *const pc_authz_param_names[];

/**
 * RFC 9101 §6: verify the request object `jwt` of application `app` against
 * the keys it registered, and turn its claims into authorization parameters:
 * *params (new) holds the known parameter names with string values. iss, when
 * present, and client_id must be the client's; aud, when present, must name
 * `issuer`; exp, when present, must be in the future. PC_ERR_DENIED with *why
 * (static) otherwise.
 */
pc_status pc_oauth2_request_object(const json_t *app, const char *jwt, const char *issuer,
                                   json_t **params, const char **why);

/**
 * RFC 9126 §4: take the pushed request `request_uri` for client `client_id`,
 * once: *params is new. PC_ERR_NOT_FOUND when it is unknown, used, expired or
 * another client's; PC_ERR_STORAGE when the store cannot say.
 */
pc_status pc_oauth2_par_take(const pc_tenant *t, const char *request_uri, const char *client_id,
                             json_t **params);
#endif
