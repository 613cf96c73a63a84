/* SPDX-License-Identifier: Apache-2.0 */
/* token_claims (API.md §16): claims an application's tokens carry from the user's attributes. */
#ifndef PC_OIDC_TOKEN_CLAIMS_H
#define PC_OIDC_TOKEN_CLAIMS_H
#include <jansson.h>

/**
 * What is wrong with an application's token_claims ({"claim":"attributes.key"}),
 * or NULL: a claim name outside [A-Za-z0-9_.:-]{1,64}, a reserved JWT or OIDC
 * claim name, a value that is not "attributes.<key>".
 */
const char *pc_oidc_token_claims_problem(const json_t *token_claims);
/** The application's token_claims as shown by the API (new object, {} when unset). */
json_t *pc_oidc_token_claims_of(const json_t *app);
/** The claims for `user` (new object, or NULL when none): each named attribute that it has. */
json_t *pc_oidc_token_claims_values(const json_t *token_claims, const json_t *user);
/** Add `extra`'s members to `claims`, never replacing one already there; NULL is a no-op. */
void pc_oidc_token_claims_add(json_t *claims, const json_t *extra);
#endif
