/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the one base64url codec (core/util/crypto.c) every token format goes through
 * (JWS parts, refresh tokens, sealed forms): a string decodes only if it is the one
 * spelling of its bytes (RFC 4648 §3.5), and any bytes round-trip.
 */
#include "fuzz_support.h"
#include "util/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *raw = NULL, *back = NULL;
    size_t n = 0, m = 0;
    char *enc;

    if (pc_b64url_decode((const char *)data, size, &raw, &n) == PC_OK) {
        size_t unpadded = size;
        while (unpadded > 0 && data[unpadded - 1] == '=')
            unpadded--;
        enc = pc_b64url_encode(raw, n);
        FUZZ_ASSERT(strlen(enc) == unpadded && memcmp(enc, data, unpadded) == 0);
        FUZZ_ASSERT(raw[n] == '\0'); /* decoded text is NUL-terminated for its parsers */
        free(enc);
    }
    free(raw);
    enc = pc_b64url_encode(data, size);
    FUZZ_ASSERT(pc_b64url_decode(enc, strlen(enc), &back, &m) == PC_OK);
    FUZZ_ASSERT(m == size && memcmp(back, data, size) == 0);
    free(back);
    free(enc);
    return 0;
}
