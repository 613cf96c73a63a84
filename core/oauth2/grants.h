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
/** RFC 8628 §3.4: the device authorization grant's grant_type. */
#define PC_GRANT_DEVICE_CODE "urn:ietf:params:oauth:grant-type:device_code"
/** Is a plugin serving `grant_type` loaded? */
int pc_grants_loaded(const char *grant_type);
#endif
