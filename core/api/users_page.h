/* SPDX-License-Identifier: Apache-2.0 */
/* A page of the user list: what the views of its users show beyond their records (issue 20). */
#ifndef PC_API_USERS_PAGE_H
#define PC_API_USERS_PAGE_H
#include <stddef.h>
#include <jansson.h>

/** Per user id of a page: its roles' and groups' names, linked identities, second factor. */
typedef struct pc_user_page {
    const char *tenant_id;
    json_t *roles;      /**< id -> array of role names */
    json_t *groups;     /**< id -> array of group names */
    json_t *identities; /**< id -> array of pc_idp_identities_of() */
    json_t *mfa;        /**< id -> true for a user with an enabled second factor */
} pc_user_page;

/**
 * Ask the store for the facts of the first `n` users of `rows` in a few statements per
 * page, not four per user. 1 when loaded; 0 (only the tenant held) where the store cannot, or
 * failed: the views then ask per user, as for one user.
 */
int pc_user_page_load(pc_user_page *pg, const char *tenant_id, const json_t *rows, size_t n);
void pc_user_page_clear(pc_user_page *pg);

#endif
