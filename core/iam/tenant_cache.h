/* SPDX-License-Identifier: Apache-2.0 */
/* The tenants a process has loaded: found by slug or id, bounded in bytes, oldest use out first. */
#ifndef PC_IAM_TENANT_CACHE_H
#define PC_IAM_TENANT_CACHE_H

#include "iam/tenant.h"

/** A tenant loaded at or after `fresh_since`, by "slug" or "id", with a reference taken; or NULL. */
pc_tenant *pc_tenant_cache_find(const char *field, const char *value, int64_t fresh_since);
/**
 * Keep `t` (a reference is taken) counted as `bytes`, replacing a tenant of
 * the same id; the least recently used leave to stay within `budget`.
 */
void pc_tenant_cache_put(pc_tenant *t, size_t bytes, size_t budget);
/** Forget the tenant `id`. */
void pc_tenant_cache_drop(const char *id);
/** Forget the tenants loaded before `fresh_since` (expired). */
void pc_tenant_cache_sweep(int64_t fresh_since);
/** Forget every tenant. */
void pc_tenant_cache_clear(void);
/** Tenants held and their bytes. */
void pc_tenant_cache_stats(size_t *entries, size_t *bytes);
#endif
