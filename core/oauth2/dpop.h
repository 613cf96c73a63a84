/* SPDX-License-Identifier: Apache-2.0 */
/* DPoP (RFC 9449): proofs of possession of a client key, and tokens bound to that key. */
#ifndef PC_OAUTH2_DPOP_H
#define PC_OAUTH2_DPOP_H
#include <jansson.h>
#include <stdint.h>
#include <portcullis/status.h>
#include "iam/tenant.h"

/** RFC 9449 §4.3: how old a proof's iat may be, and how far ahead of our clock (seconds). */
#define PC_DPOP_MAX_AGE 300
#define PC_DPOP_MAX_AHEAD 60

/**
 * The checks of RFC 9449 §4.3 that need no store: `proof` is one compact JWS
 * of typ dpop+jwt, signed by the public key in its own header (RS256, PS256,
 * ES256 or EdDSA), with a jti, htm equal to `htm`, htu equal to `htu` (query
 * and fragment ignored), iat within the window around `now`, and, when
 * `token` is not NULL, ath the hash of that access token. On PC_OK *claims and
 * *jkt (the RFC 7638 thumbprint of the key) are new; PC_ERR_DENIED with *why
 * (static) otherwise.
 */
pc_status pc_oauth2_dpop_check(const char *proof, const char *htm, const char *htu,
                               const char *token, int64_t now, json_t **claims, char **jkt,
                               const char **why);

/**
 * pc_oauth2_dpop_check() at the current time, then the server's nonce (when
 * the setting dpop_nonce is on: PC_DECLINED if the proof lacks a current one)
 * and the one-time jti (remembered in the store: PC_ERR_DENIED on a replay,
 * PC_ERR_STORAGE if the store cannot say). *jkt is new on PC_OK.
 */
pc_status pc_oauth2_dpop_verify(const pc_tenant *t, const char *proof, const char *htm,
                                const char *htu, const char *token, char **jkt, const char **why);

/** The nonce proofs must carry now (RFC 9449 §8), valid for 5 to 10 minutes. New string. */
char *pc_oauth2_dpop_nonce(const pc_tenant *t);

/** The key thumbprint an access token is bound to (cnf.jkt, RFC 9449 §6.1), or NULL. Borrowed. */
const char *pc_oauth2_dpop_bound_jkt(const json_t *claims);

/** How a request presents an access token (RFC 9449 §7; issue #18). */
typedef enum {
    PC_TOKEN_AS_BEARER,   /**< Authorization: Bearer (or a form's access_token) */
    PC_TOKEN_AS_DPOP,     /**< Authorization: DPoP, with a proof in the DPoP header */
    PC_TOKEN_AS_PARAMETER /**< a parameter of a token request (RFC 8693 subject_token) */
} pc_token_scheme;

/** The request an access token came with; all borrowed. */
typedef struct pc_token_presented {
    pc_token_scheme scheme;
    const char *proof;      /**< the DPoP header, or NULL */
    const char *method;     /**< the request's method: the proof's htm */
    const char *htu;        /**< PUBLIC_URL + the request's path: the proof's htu */
    const char *proven_jkt; /**< PC_TOKEN_AS_PARAMETER: the key the token request's own
                                 proof showed (checked already), or NULL without one */
} pc_token_presented;

/**
 * The one rule for an access token used as a credential, wherever it is
 * accepted (userinfo, the management API, AuthZEN, token exchange): verify
 * `token` as tenant `t`'s (pc_token_verify_access), then, RFC 9449 §7, a token
 * bound to a key (cnf.jkt) needs proof of that key: under the DPoP scheme a
 * fresh proof for this method and URL carrying ath; as a parameter, the
 * request's own proof of the same key. An unbound token is refused under the
 * DPoP scheme. PC_OK with *claims (new). PC_ERR_DENIED with *why NULL when the
 * token itself is invalid, else *why (static; NULL on PC_OK) and *error ("invalid_token" or
 * "invalid_dpop_proof"); PC_DECLINED when a nonce is needed; PC_ERR_STORAGE.
 * Introspection and revocation look at a token without using it and call
 * pc_token_verify_access() instead.
 */
pc_status pc_oauth2_access_accept(const pc_tenant *t, const char *token,
                                  const pc_token_presented *how, json_t **claims,
                                  const char **error, const char **why);
#endif
