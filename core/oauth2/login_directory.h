/* SPDX-License-Identifier: Apache-2.0 */
/* The password step's directories (API.md §14): `ldap` and other password kinds, for people who are not local. */
#ifndef PC_OAUTH2_LOGIN_DIRECTORY_H
#define PC_OAUTH2_LOGIN_DIRECTORY_H
#include <portcullis/portcullis.h>

struct pc_login_attempt;

/** What a directory sign-in reports to the caller of pc_login_check(). */
typedef struct pc_login_directory_out {
    char provider[64]; /**< the identity provider that signed the person in, or "" */
    char reason[256];  /**< PC_ERR_UNAVAILABLE: the plugin's sentence for the person, or "" */
} pc_login_directory_out;

/**
 * Ask the tenant's enabled password-kind identity providers about a->username and
 * a->password, in the order they were created. `local` is the local user of that name
 * (borrowed, may be NULL): then only the providers it is linked to are asked. The first
 * that knows the person decides. PC_OK with *user (new: linked, or provisioned, with the
 * group roles applied) and out->provider; PC_ERR_DENIED (a directory refused the
 * password); PC_ERR_NOT_FOUND (none knows the person); PC_ERR_UNAVAILABLE (none knew them
 * and one could not be asked: out->reason); PC_ERR_STORAGE.
 */
pc_status pc_login_directory(const struct pc_login_attempt *a, const json_t *local, json_t **user,
                             pc_login_directory_out *out);
#endif
