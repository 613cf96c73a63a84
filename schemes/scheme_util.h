/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers the scheme plugins share: tenant settings in bounds, and ABI member checks. */
#ifndef PC_SCHEME_UTIL_H
#define PC_SCHEME_UTIL_H

#include <stddef.h>
#include <portcullis/portcullis.h>

/** Does the host's struct at `ptr` (with struct_size) contain `member`? (docs/plugins.md §2) */
#define PC_HAS_MEMBER(ptr, type, member) \
    ((ptr)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

/** The tenant's settings object for this scheme, or NULL. */
static inline const json_t *scheme_settings(const pc_scheme_call *call)
{
    return PC_HAS_MEMBER(call, pc_scheme_call, settings) ? call->settings : NULL;
}

/** An integer setting within [min, max], else `def`. */
static inline int64_t scheme_setting_int(const pc_scheme_call *call, const char *key, int64_t def,
                                         int64_t min, int64_t max)
{
    json_t *v = json_object_get(scheme_settings(call), key);
    json_int_t i = json_integer_value(v);

    return json_is_integer(v) && i >= min && i <= max ? (int64_t)i : def;
}

/** A string setting, else `def`. */
static inline const char *scheme_setting_str(const pc_scheme_call *call, const char *key,
                                             const char *def)
{
    const char *s = json_string_value(json_object_get(scheme_settings(call), key));

    return s != NULL && *s != '\0' ? s : def;
}

/** The tenant's display name, or `def`. */
static inline const char *scheme_tenant_name(const pc_scheme_call *call, const char *def)
{
    const char *n = PC_HAS_MEMBER(call, pc_scheme_call, tenant_name) ? call->tenant_name : NULL;

    return n != NULL && *n != '\0' ? n : def;
}

/** Record an audit event through the call, when the host offers it. */
static inline void scheme_audit(const pc_scheme_call *call, const char *type, const json_t *details)
{
    if (PC_HAS_MEMBER(call, pc_scheme_call, audit) && call->audit != NULL)
        call->audit(call->ctx, type, details);
}
#endif
