/* SPDX-License-Identifier: Apache-2.0 */
/* LDAP search filters built from a configured template and what a person typed (RFC 4515). */
#ifndef PC_LDAP_FILTER_H
#define PC_LDAP_FILTER_H

#include <stddef.h>

/** Longest assertion value accepted before escaping (a username, a DN), in bytes. */
#define LDAP_FILTER_VALUE_MAX 1024

/**
 * Escape `value` (len bytes, NUL bytes included) for use as an assertion value inside a
 * filter (RFC 4515 §3): '*', '(', ')', '\', NUL, control characters and every byte at or
 * above 0x80 become "\xx", so the value can only ever match itself. Returns a new string
 * (free()), or NULL when len exceeds LDAP_FILTER_VALUE_MAX.
 */
char *ldap_filter_escape(const char *value, size_t len);

/**
 * Does `tmpl` look like a filter template: one parenthesised filter, balanced outside
 * escapes, at most 1024 bytes, naming `{placeholder}` (e.g. "username") at least once
 * and no other {...}? NULL when it does, else a static sentence naming the problem.
 */
const char *ldap_filter_template_problem(const char *tmpl, const char *placeholder);

/**
 * The filter `tmpl` with every "{placeholder}" replaced by `value`, escaped: a new string
 * (free()), or NULL when the template is not acceptable (see above) or the value too long.
 */
char *ldap_filter_build(const char *tmpl, const char *placeholder, const char *value);

#endif
