/* SPDX-License-Identifier: Apache-2.0 */
/* application/x-www-form-urlencoded parsing in linear time, with a field limit; no ulfius types. */
#ifndef PC_HTTP_FORM_H
#define PC_HTTP_FORM_H

#include <stddef.h>
#include <portcullis/status.h>

/** API.md §19: a form body with more than this many fields is refused. */
#define PC_FORM_MAX_FIELDS 1000

/** The fields of one form body or query string: name -> value, looked up by hash. */
typedef struct pc_form pc_form;

/**
 * Parse `len` bytes of `text` (need not be NUL-terminated) as
 * application/x-www-form-urlencoded: fields split at '&', names from values
 * at the first '=', '+' is a space, %XX a byte; an invalid escape stays as
 * it is. Empty fields ("&&") are skipped. A name sent several times keeps
 * its values joined with ',' in order (as ulfius did).
 *
 * PC_OK with a new form in *out (free with pc_form_free), or
 * PC_ERR_INVALID with *out NULL and a static reason in *why when the text
 * has more than `max_fields` fields, a NUL byte (raw or %00) in a name or
 * value, or a decoded name or value that is not UTF-8. Time and memory are linear in `len`. Thread-safe (no shared state).
 */
pc_status pc_form_parse(const char *text, size_t len, size_t max_fields, pc_form **out,
                        const char **why);
/** The value of field `name` (borrowed from f), or NULL if absent or f is NULL. */
const char *pc_form_get(const pc_form *f, const char *name);
/** The number of distinct names. */
size_t pc_form_count(const pc_form *f);
/**
 * The first name (borrowed) sent more than once, other than those listed in
 * `allowed` (NULL-terminated, or NULL), or NULL when there is none.
 */
const char *pc_form_repeated(const pc_form *f, const char *const *allowed);
void pc_form_free(pc_form *f);

/**
 * Percent-decode `len` bytes of `s` into a new string (caller frees with
 * free()); '+' becomes a space only when `plus` is set. NULL if the result
 * would hold a NUL byte.
 */
char *pc_form_unescape(const char *s, size_t len, int plus);

/** Are `len` bytes of `s` well-formed UTF-8 (no overlong forms, surrogates or NUL)? */
int pc_form_utf8_valid(const char *s, size_t len);
#endif
