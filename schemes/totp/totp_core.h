/* SPDX-License-Identifier: Apache-2.0 */
/* TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA-1, and RFC 4648 base32: no plugin state, unit-tested. */
#ifndef PC_TOTP_CORE_H
#define PC_TOTP_CORE_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_WINDOW 1 /* steps accepted either side of now */

typedef struct totp_params {
    int digits;     /**< 6..8 */
    int64_t period; /**< seconds per step, e.g. 30 */
} totp_params;

/** HOTP value of `counter` (RFC 4226 §5.3), reduced to `digits` digits; -1 on a crypto failure. */
int64_t totp_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits);
/** The code for time `now` as a zero-padded string into out (at least digits + 1 bytes). */
int totp_code_at(const totp_params *p, const uint8_t *key, size_t key_len, int64_t now, char *out,
                 size_t out_len);
/**
 * Check `code` at `now` within ±TOTP_WINDOW steps (RFC 6238 §5.2). A step is
 * accepted only if it is later than `last_step` (§5.2: a step is never
 * accepted twice). Returns 1 and *step when accepted, 0 otherwise.
 */
int totp_check(const totp_params *p, const uint8_t *key, size_t key_len, int64_t now,
               const char *code, int64_t last_step, int64_t *step);

/** base32 (RFC 4648 §6) without padding into out; returns the length, or -1 if out is too small. */
int totp_base32_encode(const uint8_t *in, size_t len, char *out, size_t out_len);
/** Decode base32 (case-insensitive, '=' and spaces ignored); returns the byte count or -1. */
int totp_base32_decode(const char *in, uint8_t *out, size_t out_len);
#endif
