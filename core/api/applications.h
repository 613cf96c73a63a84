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
#endif
