/* SPDX-License-Identifier: Apache-2.0 */
/* Which organization a token is scoped to (API.md §18): asked after sign-in, carried by codes, refresh and exchange. */
#ifndef PC_OAUTH2_ORG_GATE_H
#define PC_OAUTH2_ORG_GATE_H
#include "oauth2/grant_ctx.h"

#define PC_ORG_GRANT_TYPE "urn:portcullis:params:oauth:grant-type:organization"
#define PC_ORG_TOKEN_TTL 300

/**
 * Before minting a user's tokens whose organization no grant settled (password,
 * mfa): the `organization` parameter (slug or id; not a membership: 400
 * invalid_request), else the user's only organization, else none; with several,
 * the 403 organization_required answer with an organization_token is set and
 * PC_ERR_DENIED returned.
 */
pc_status pc_org_gate(pc_grant_ctx *ctx);
/** pc_grant_call.subject_organization: redeem an organization_token. */
pc_status pc_org_grant_subject(pc_grant_ctx *ctx, const char *organization_token,
                               const char *organization);
/**
 * Scope ctx to the organization `ref` (slug or id) the user must be a member of:
 * PC_OK; PC_ERR_INVALID (answered 400 invalid_request); PC_ERR_STORAGE (503).
 */
pc_status pc_org_choose(pc_grant_ctx *ctx, const char *ref);
/**
 * Scope ctx to the organization a code, refresh grant or token carried (`org_id`,
 * may be NULL): PC_OK, or PC_ERR_DENIED (invalid_grant) when the membership or the
 * organization is gone, or when the request names another organization.
 */
pc_status pc_org_carry(pc_grant_ctx *ctx, const char *org_id, int64_t issued_at);
#endif
