/* SPDX-License-Identifier: Apache-2.0 */
/* Standard claims of a user, released by scope (OIDC Core §5.4). */
#ifndef PC_OIDC_CLAIMS_H
#define PC_OIDC_CLAIMS_H
#include <jansson.h>

/** The scope that lets a third-party application's user tokens use the management API. */
#define PC_SCOPE_MANAGE "portcullis:manage"

/** Does the space-separated `scope` contain `item`? */
int pc_scope_has(const char *scope, const char *item);
/** The claims of user record `user` that `scope` releases, with "sub" (new object). */
json_t *pc_oidc_user_claims(const json_t *user, const char *scope);
#endif
