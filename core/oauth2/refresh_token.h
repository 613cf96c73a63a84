/* SPDX-License-Identifier: Apache-2.0 */
/* The refresh token format: a grant id, a generation and a random secret under a MAC. */
#ifndef PC_OAUTH2_REFRESH_TOKEN_H
#define PC_OAUTH2_REFRESH_TOKEN_H

#include <stdint.h>

#define PC_REFRESH_HASH_LEN 65 /* SHA-256 hex and NUL */

/**
 * A new token for generation `generation` of refresh grant `grant_id` (a
 * UUID) in tenant `tenant_id`, with a fresh random secret whose SHA-256 (hex)
 * goes into secret_hash for the store. New string, or NULL.
 */
char *pc_refresh_token_make(const char *tenant_id, const char *grant_id, int64_t generation,
                            char secret_hash[PC_REFRESH_HASH_LEN]);

/**
 * Open a token: 1 with its grant id, generation and the SHA-256 (hex) of its
 * secret if the MAC holds for `tenant_id`, else 0 (garbage, another
 * tenant's, or forged).
 */
int pc_refresh_token_open(const char *tenant_id, const char *token, char grant_id[37],
                          int64_t *generation, char secret_hash[PC_REFRESH_HASH_LEN]);

#endif
