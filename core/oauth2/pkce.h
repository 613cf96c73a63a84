/* SPDX-License-Identifier: Apache-2.0 */
/* PKCE (RFC 7636): S256 challenges and their verifiers; `plain` is never accepted. */
#ifndef PC_OAUTH2_PKCE_H
#define PC_OAUTH2_PKCE_H
#include <portcullis/status.h>

/** RFC 7636 §4.1: 43 to 128 characters of [A-Za-z0-9-._~]. */
int pc_oauth2_pkce_verifier_valid(const char *verifier);
/** An S256 challenge (RFC 7636 §4.2): base64url without padding of 32 bytes, 43 characters. */
int pc_oauth2_pkce_challenge_valid(const char *challenge);
/** BASE64URL(SHA256(verifier)), new. */
char *pc_oauth2_pkce_s256(const char *verifier);
/**
 * RFC 7636 §4.6: PC_OK if the verifier is well formed and hashes to the
 * challenge (compared in constant time); PC_ERR_INVALID if it is malformed,
 * PC_ERR_DENIED if it does not match.
 */
pc_status pc_oauth2_pkce_verify(const char *challenge, const char *verifier);
#endif
