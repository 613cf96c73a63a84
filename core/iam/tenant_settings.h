/* SPDX-License-Identifier: Apache-2.0 */
/* Tenant settings (API.md §13): their names, ranges and defaults; checking a change; the effective view. */
#ifndef PC_IAM_TENANT_SETTINGS_H
#define PC_IAM_TENANT_SETTINGS_H
#include <portcullis/portcullis.h>

/** The message kinds whose subject and text a tenant may override ("messages" setting). */
extern const char *const pc_tenant_message_kinds[];

/**
 * Apply `patch` (the "settings" object of PATCH /tenant, borrowed) to `stored` (the
 * tenant record's settings, borrowed): a new object with each value checked, a null
 * value removing the setting (back to its default). Each problem goes into `bad`
 * ("settings.NAME" or "settings.NAME.sub" → reason; unknown names → "unexpected" in
 * `unknown`). Returns NULL when `bad` or `unknown` got an entry.
 */
json_t *pc_tenant_settings_apply(const json_t *stored, const json_t *patch, json_t *bad,
                                 json_t *unknown);
/** Every setting with its effective value: stored, or the default (new). */
json_t *pc_tenant_settings_view(const json_t *stored);
/** The default of an integer setting (0 for an unknown name). */
int64_t pc_tenant_setting_default(const char *name);
#endif
