/* SPDX-License-Identifier: Apache-2.0 */
/* Links by email (API.md §12): single-use tokens stored hashed, and the messages that carry them. */
#ifndef PC_IAM_EMAIL_LINKS_H
#define PC_IAM_EMAIL_LINKS_H
#include <portcullis/portcullis.h>
#include "iam/tenant.h"

#define PC_LINK_RESET "password_reset"
#define PC_LINK_VERIFY "email_verification"
#define PC_LINK_INVITE "invitation"

/** A link to be: its kind, whom it is for, and where it goes. All borrowed. */
typedef struct pc_link_spec {
    const char *kind;          /**< PC_LINK_* */
    const char *user_id;       /**< reset, verification; else NULL */
    const char *invitation_id; /**< invitation; else NULL */
    const char *email;         /**< the address it is sent to */
    int64_t ttl;               /**< seconds */
} pc_link_spec;

/**
 * The tenant's email provider (API.md §12: the one with "default": true, else the
 * only one), new; PC_ERR_NOT_FOUND when there is none (the caller answers 503
 * AUT-0017 before creating anything), PC_ERR_STORAGE when the store cannot tell.
 * Call it outside a transaction: it also removes expired link tokens.
 */
pc_status pc_links_provider(const pc_tenant *t, json_t **provider);
/**
 * Store a new token for `spec` in `tx`: 256 random bits, of which only the SHA-256
 * is stored. *token (new, pc_free_secret) is the plain token, never logged.
 */
pc_status pc_links_issue(pc_store_tx *tx, const pc_tenant *t, const pc_link_spec *spec,
                         char **token);
/**
 * Use a token of `kind` once, in `tx` (so that it is used only if the change it
 * allows commits): PC_OK with its record (new) and the record removed;
 * PC_ERR_NOT_FOUND when it is unknown, of another kind or tenant, expired or used
 * already; PC_ERR_STORAGE when the store cannot tell.
 */
pc_status pc_links_take(pc_store_tx *tx, const pc_tenant *t, const char *kind, const char *token,
                        json_t **rec);
/**
 * Queue the message of `spec` with `token` through `provider`: the link is
 * {issuer}/ui/{page}?token=…, the subject and text the tenant's (settings
 * "messages") or the built-in ones. PC_ERR_UNAVAILABLE when the queue is full.
 */
pc_status pc_links_send(const pc_tenant *t, const json_t *provider, const pc_link_spec *spec,
                        const char *token, const char *ip);
/** Render a template: {link}, {tenant}, {minutes} and {email} replaced (new). */
char *pc_links_render(const char *tmpl, const char *link, const char *tenant, int64_t minutes,
                      const char *email);
#endif
