/* SPDX-License-Identifier: Apache-2.0 */
/* Password hashing with argon2id (libargon2) at the configured cost. */
#ifndef PC_UTIL_PASSWORD_H
#define PC_UTIL_PASSWORD_H
#include <stdint.h>
#include <portcullis/status.h>

/** Set the cost: t (passes), m (KiB), p (lanes). Defaults: OWASP's 2 / 19456 / 1. */
void pc_password_configure(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism);
/** Hash a password; *encoded is the PHC string ($argon2id$v=19$m=...), new. */
pc_status pc_password_hash(const char *password, char **encoded);
/** PC_OK if it matches, PC_ERR_DENIED if not; constant-time. */
pc_status pc_password_verify(const char *encoded, const char *password);
/** Spend the time of one verification without a stored hash (unknown users). */
void pc_password_burn(const char *password);
/** Reject passwords too short or too long to be sensible; a static reason or NULL. */
const char *pc_password_problem(const char *password);
#endif
