/* SPDX-License-Identifier: Apache-2.0 */
/* Step-up (API.md §16): which calls need a fresh second factor, decided from the tenant setting. */
#ifndef PC_AUTHZ_STEP_UP_H
#define PC_AUTHZ_STEP_UP_H
#include <jansson.h>
#include <stdint.h>

#define PC_STEP_UP_MAX_AGE 300

/** Does this amr claim (RFC 8176) name "mfa"? */
int pc_pdp_amr_has_mfa(const json_t *amr);
/**
 * Does a call needing resource:action, made with a token with these claims,
 * need step-up under `settings` (the tenant's settings; its "step_up":
 * {"permissions":[patterns],"max_age":seconds})? Only user tokens (with a
 * sid) are affected; a token whose amr holds "mfa" and whose auth_time is
 * within max_age is fresh. 1 if step-up is needed, with *max_age set.
 */
int pc_pdp_step_up_needed(const json_t *settings, const json_t *claims, const char *resource,
                          const char *action, int64_t now, int64_t *max_age);
/** The tenant's step_up max_age (seconds), PC_STEP_UP_MAX_AGE when it sets none. */
int64_t pc_pdp_step_up_max_age(const json_t *settings);
#endif
