/* SPDX-License-Identifier: Apache-2.0 */
/* Applications by client_id, kept in memory for client authentication; dropped on any change. */
#ifndef PC_IAM_APP_CACHE_H
#define PC_IAM_APP_CACHE_H
#include <jansson.h>
#include <portcullis/status.h>

/** Listen to the change feed ("app", "client", "tenant" entries drop records). */
void pc_app_cache_init(void);
void pc_app_cache_shutdown(void);
/**
 * The application `client_id` of `tenant_id` (a new reference to an
 * immutable record), PC_ERR_NOT_FOUND, or PC_ERR_STORAGE.
 */
pc_status pc_app_cache_get(const char *tenant_id, const char *client_id, json_t **app);
#endif
