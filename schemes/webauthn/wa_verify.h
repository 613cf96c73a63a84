/* SPDX-License-Identifier: Apache-2.0 */
/* The WebAuthn L2 ceremonies' checks (§7.1 registration, §7.2 authentication), free of any server state. */
#ifndef WA_VERIFY_H
#define WA_VERIFY_H
#include <jansson.h>
#include <stdint.h>
#include "wa_cbor.h"

/** What the relying party expects of a response; all borrowed. */
typedef struct wa_expect {
    const char *challenge; /**< base64url, as sent in the options */
    const char *rp_id;
    const char *const *origins; /**< allowed origins, exact strings */
    size_t n_origins;
    int require_uv; /**< user verification required */
} wa_expect;

/** A verified new credential (strings new; wa_new_cred_clear). */
typedef struct wa_new_cred {
    char *id;         /**< base64url credential id */
    char *public_key; /**< base64url of the COSE key */
    int alg;
    uint32_t sign_count;
    uint8_t flags;
    char *fmt; /**< the attestation format that was checked */
} wa_new_cred;
void wa_new_cred_clear(wa_new_cred *c);

/** What a verified assertion tells. */
typedef struct wa_assertion {
    uint32_t sign_count;
    uint8_t flags;
    int count_decreased; /**< both counters non-zero and the new one not greater (§6.1.1) */
} wa_assertion;

/** Verify `sig` over `data` with a COSE key; 0 when it is right. */
int wa_sig_verify(const wa_cose_key *k, const uint8_t *data, size_t n, const uint8_t *sig,
                  size_t sig_len);
/**
 * A RegistrationResponseJSON (PublicKeyCredential.toJSON()), checked as §7.1
 * says; attestation "none", or "packed" self-attestation. NULL, or a
 * sentence saying which check failed.
 */
const char *wa_registration_verify(const json_t *cred, const wa_expect *e, wa_new_cred *out);
/**
 * An AuthenticationResponseJSON for the stored credential whose COSE key is
 * `public_key` (base64url), checked as §7.2 says. The counter decision is the
 * caller's (out->count_decreased). NULL, or which check failed.
 */
const char *wa_assertion_verify(const json_t *cred, const wa_expect *e, const char *public_key,
                                uint32_t stored_count, wa_assertion *out);
/** The response's credential id (borrowed from cred) after checking its form, or NULL. */
const char *wa_response_id(const json_t *cred);
#endif
