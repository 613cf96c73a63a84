/* SPDX-License-Identifier: Apache-2.0 */
/* The grant-type plugins loaded, by grant_type. */
#ifndef PC_OAUTH2_GRANTS_H
#define PC_OAUTH2_GRANTS_H
#include <portcullis/grant.h>
#include <jansson.h>

/** The ops and state of the plugin serving `grant_type`, or NULL. */
const pc_grant_ops *pc_grants_find(const char *grant_type, void **state);
/** The grant types served, as a JSON array (new). */
json_t *pc_grants_list(void);
#endif
