/* SPDX-License-Identifier: Apache-2.0 */
/* What the provider plugins share: config checks, {{var}} templates, and log-safe remote messages. */
#ifndef PC_PROVIDER_UTIL_H
#define PC_PROVIDER_UTIL_H

#include <portcullis/portcullis.h>

/** Is every member of `config` one of the NULL-terminated `known` names? Else *problem names it. */
int pv_known_keys(const json_t *config, const char *const *known, const char **problem);
/** An optional string member: absent is fine, anything but a non-empty string is a problem. */
int pv_opt_string(const json_t *config, const char *key);
/** An optional integer member within [min, max]. */
int pv_opt_int(const json_t *config, const char *key, json_int_t min, json_int_t max);
/** An integer member, or `def` when absent. */
json_int_t pv_int(const json_t *config, const char *key, json_int_t def);
/** A string member, or `def` when absent. */
const char *pv_str(const json_t *config, const char *key, const char *def);
/**
 * Render {{name}} with the string members of `vars` (unknown names vanish);
 * with json_escape the values are escaped for the inside of a JSON string.
 * New string (free()), NULL when out of memory.
 */
char *pv_render(const char *tpl, const json_t *vars, int json_escape);
/**
 * A remote answer made safe to log (new): at most 200 characters, control
 * characters replaced, and every occurrence of the message text and of the
 * code in `msg` removed, so that a gateway echoing them leaks nothing.
 */
char *pv_log_safe(const char *remote, const pc_message *msg);
/**
 * Does the host offer the outbound members of pc_host (outbound_check and
 * friends, appended in ABI 1.0, outbound release)? Providers refuse to start
 * without them: they could not keep their calls to public addresses.
 */
int pv_host_has_outbound(const pc_host *host);
/** Is `s` free of CR, LF and other control characters (safe in a header or an SMTP command)? */
int pv_single_line(const char *s);
#endif
