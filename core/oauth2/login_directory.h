/* SPDX-License-Identifier: Apache-2.0 */
/* The password step asks the tenant's directories (idp plugins with PC_IDP_PASSWORD) about names that are not local. */
#ifndef PC_OAUTH2_LOGIN_DIRECTORY_H
#define PC_OAUTH2_LOGIN_DIRECTORY_H
#include "oauth2/login.h"

/**
 * Check `a`'s username and password against each enabled directory provider
 * of the tenant: PC_OK with *user (new: linked, linked by verified email or
 * provisioned, group roles applied) and `provider` (its name);
 * PC_ERR_DENIED when a directory knows the name but not that password;
 * PC_ERR_UNAVAILABLE when none answered and one could not be reached (no
 * failed sign-in is counted); PC_ERR_INTERNAL likewise when one could not be
 * asked because of its configuration here: secrets that do not open with
 * this master key, a config that breaks a rule (logged);
 * PC_ERR_NOT_FOUND when no directory knows the name (or there is none);
 * PC_ERR_CONFLICT when a directory took the password but nobody here may be
 * that person (not linked and no provisioning, an email of another user, no
 * room, a disabled user), *refusal saying why (static, for the person; logged)
 * and *reason the same for the audit; PC_ERR_STORAGE (logged).
 */
pc_status pc_login_directory(const pc_login_attempt *a, json_t **user, char provider[64],
                             const char **refusal, const char **reason);
#endif
