/* SPDX-License-Identifier: Apache-2.0 */
/* ID tokens (OIDC Core §2): signed with the tenant's ID-token alg, with at_hash. */
#ifndef PC_OIDC_ID_TOKEN_H
#define PC_OIDC_ID_TOKEN_H
#include "oauth2/tokens.h"

/** Mint an ID token for `s` (a user subject) with the claims of `user` released by scope. */
pc_status pc_oidc_id_token(const pc_tenant *t, const pc_token_subject *s, const json_t *user,
                           const char *access_token, char **jwt);
#endif
