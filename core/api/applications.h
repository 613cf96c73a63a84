/* SPDX-License-Identifier: Apache-2.0 */
/* What the application endpoints share: loading the application a caller may act on. */
#ifndef PC_API_APPLICATIONS_H
#define PC_API_APPLICATIONS_H
#include "api/api.h"

/**
 * Require applications:`action`, load the application of the path's :id into
 * *app (new), and for any action but "read" check that the caller may act on
 * it (holds every permission it holds). Returns 0 after replying otherwise.
 */
int pc_api_app_authorised(pc_req *rq, pc_principal *p, const char *action, json_t **app);

/**
 * Is the application trusted: first-party (no consent page) or allowed the
 * scope portcullis:manage? Whoever decides where such an application sends
 * people, or its users' one-time codes, could act as its users.
 */
int pc_api_app_trusted(const json_t *app);

/** 1 if the caller holds applications:trust; else replies 403 with `refusal` (503 on a store
 * failure) and returns 0. */
int pc_api_require_trust(pc_req *rq, const pc_principal *p, const char *refusal);
/* ---- shared with dynamic client registration (RFC 7591; client_registration.c) ---- */
/** The first invalid value of an application record `merged` (*field names it), or NULL. */
const char *pc_api_app_problem(const json_t *merged, const char **field);
/** A new application record of `type` ("public" or else confidential) with the defaults (new). */
json_t *pc_api_app_default_record(const pc_tenant *t, const char *type);
/** Every token issued to client_id so far dies, refresh tokens included (in tx). */
pc_status pc_api_app_revoke_tokens(pc_store_tx *tx, pc_req *rq, const char *client_id);
/* ---- end of dynamic client registration ---- */
#endif
