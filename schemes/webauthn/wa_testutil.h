/* SPDX-License-Identifier: Apache-2.0 */
/* What the WebAuthn unit tests share: a response with one member replaced. */
#ifndef WA_TESTUTIL_H
#define WA_TESTUTIL_H
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include "wa_b64.h"

/* A copy of `cred` whose response member `member` is base64url of `n` bytes (new). */
static inline json_t *wa_test_with_member(const json_t *cred, const char *member, const void *bytes,
                                          size_t n)
{
    json_t *copy = json_deep_copy(cred);
    char *b = wa_b64url_encode(bytes, n);

    json_object_set_new(json_object_get(copy, "response"), member, json_string(b));
    free(b);
    return copy;
}
#endif
