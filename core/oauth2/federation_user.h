/* SPDX-License-Identifier: Apache-2.0 */
/* Who an external identity is here (API.md §14): linked, linked by verified email, provisioned, or nobody. */
#ifndef PC_OAUTH2_FEDERATION_USER_H
#define PC_OAUTH2_FEDERATION_USER_H
#include <portcullis/portcullis.h>

/** Why a provider's secrets are not at hand, for the log: the same words on every path. */
#define PC_FED_UNSEALABLE "its secrets cannot be unsealed (master key changed?)"

/** What the callback knows when it resolves a person; all borrowed. */
typedef struct pc_fed_who {
    const char *tenant_id;
    const char *ip;
    const char *client_id; /**< the audit actor, or NULL */
    const json_t *idp;     /**< the identity provider record */
    const pc_idp_identity *identity;
    int64_t max_users; /**< the tenant's max_users (-1: unlimited): provisioning stops there */
} pc_fed_who;

/**
 * The user of an external identity (new): the one linked to (provider,
 * subject); else, with link_by_email "verified" and a verified upstream email,
 * the user with that email (compared by its Unicode case fold) when that email
 * is verified here too, now linked; else, with jit, a new user holding
 * default_roles, now linked. Group roles (config.group_roles) are applied.
 * PC_ERR_DENIED: that user is disabled, frozen or deleted; *user is set (new)
 * and nothing was written (no link, no roles). PC_ERR_NOT_FOUND: nobody and no
 * provisioning; PC_ERR_LIMIT: the tenant is at max_users; PC_ERR_CONFLICT: the
 * upstream email is another user's (unverified here, or no link by email);
 * PC_ERR_INVALID: a default role no longer exists (logged; no user made);
 * PC_ERR_STORAGE, with *step saying what was being done (static, for the log).
 */
pc_status pc_fed_user_resolve(const pc_fed_who *w, json_t **user, const char **step);
/**
 * Link the identity to `user_id` (the account page): PC_ERR_CONFLICT when it
 * belongs to another user or the user already has one at this provider;
 * audited identity.linked.
 */
pc_status pc_fed_link(const pc_fed_who *w, const char *user_id);
#endif
