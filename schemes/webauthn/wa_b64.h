/* SPDX-License-Identifier: Apache-2.0 */
/* base64url without padding (RFC 4648 §5), as WebAuthn's JSON forms carry binary values. */
#ifndef WA_B64_H
#define WA_B64_H
#include <stddef.h>
#include <stdint.h>

/** Encode `n` bytes (new string, caller frees), NULL when out of memory. */
char *wa_b64url_encode(const uint8_t *p, size_t n);
/**
 * Decode `s` (no padding, no whitespace, at most `max` bytes out) into *out
 * (new, caller frees). Returns 0, or -1 for a malformed or too long value.
 */
int wa_b64url_decode(const char *s, size_t max, uint8_t **out, size_t *n);
#endif
