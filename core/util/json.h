/* SPDX-License-Identifier: Apache-2.0 */
/* Small questions about JSON values that several layers ask. */
#ifndef PC_UTIL_JSON_H
#define PC_UTIL_JSON_H
#include <jansson.h>

/** Does the JSON array `list` (or NULL) hold the string `s`? Non-strings never match. */
int pc_json_has_string(const json_t *list, const char *s);
#endif
