/* SPDX-License-Identifier: Apache-2.0 */
/* Tenants: the cached, immutable view of a tenant (issuer, settings, keys) shared by requests. */
#ifndef PC_IAM_TENANT_H
#define PC_IAM_TENANT_H

#include <portcullis/portcullis.h>
#include "jose/keyring.h"

#define PC_TENANT_DEFAULT "default"

typedef struct pc_tenant {
    char id[37];
    char *slug;
    char *name;
    char *issuer;           /**< {PUBLIC_URL}/t/{slug} */
    char *audience;         /**< default access-token audience */
    pc_jose_alg access_alg; /**< default ES256 */
    pc_jose_alg id_alg;     /**< default RS256 */
    int64_t access_ttl;
    int64_t refresh_ttl;
    int64_t session_ttl;
    int64_t max_roles_per_user;       /**< roles a user holds directly (default 50) */
    int64_t max_permissions_per_role; /**< default 1000 */
    int64_t max_roles;                /**< roles in the tenant (default 500) */
    pc_keyring *keys;
    char *discovery; /**< the rendered discovery document */
    int64_t loaded_at;
    int refs; /**< atomic; the cache holds one */
    /* ---- people (API.md §11–§13) ---- */
    int64_t password_min_length; /**< characters (default 8) */
    int64_t max_users;           /**< users not soft-deleted; -1: unlimited (the default) */
    int64_t code_ttl;            /**< authorization codes (default: the server's) */
    int64_t reset_ttl;           /**< password reset links (default 3600) */
    int64_t verify_ttl;          /**< email verification links (default 86400) */
    int64_t invitation_ttl;      /**< invitation links (default 259200) */
    int registration_open;       /**< "registration": "open" (default closed) */
    int mfa_required;            /**< every user must enrol a second factor */
    json_t *settings;            /**< the stored settings (templates, step_up, ...) */
    /* ---- dynamic client registration (RFC 7591; API.md §19) ---- */
    const char *dcr_mode; /**< "off" (default), "open", "protected"; points into settings */
} pc_tenant;

/** Start the cache (and listen to the change feed for invalidations). */
void pc_tenants_init(void);
void pc_tenants_shutdown(void);

/** A tenant by slug (PC_ERR_NOT_FOUND if none); release it when done. */
pc_status pc_tenant_acquire(const char *slug, pc_tenant **out);
pc_status pc_tenant_acquire_id(const char *id, pc_tenant **out);
void pc_tenant_release(pc_tenant *t);
/** Drop a tenant from the cache (it is reloaded on next use). */
void pc_tenant_invalidate(const char *tenant_id);
/** Drop the tenants loaded more than their time to live before `now` (the memory sweep). */
void pc_tenants_sweep(int64_t now);

/** Is `slug` a valid tenant slug (API.md §1)? */
int pc_tenant_slug_valid(const char *slug);
/** Create the tenant row and its keys in `tx`; *rec (may be NULL) receives the record. */
pc_status pc_tenant_create(pc_store_tx *tx, const char *slug, const char *name, json_t **rec);
#endif
