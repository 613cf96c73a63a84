/* SPDX-License-Identifier: Apache-2.0 */
/* JOSE: signing keys (generated with rhonabwy), compact JWS sign/verify with keys imported once. */
#ifndef PC_JOSE_H
#define PC_JOSE_H

#include <jansson.h>
#include <portcullis/status.h>

/** The algorithms Portcullis signs with. */
typedef enum pc_jose_alg {
    PC_ALG_NONE_ = 0, /**< never accepted; the zero value of the enum */
    PC_ALG_RS256,
    PC_ALG_PS256,
    PC_ALG_ES256,
    PC_ALG_EDDSA
} pc_jose_alg;

/** "RS256" -> PC_ALG_RS256; anything unknown (including "none", "HS256") -> PC_ALG_NONE_. */
pc_jose_alg pc_jose_alg_from_str(const char *s);
const char *pc_jose_alg_str(pc_jose_alg alg);

/**
 * An imported key: kid, alg and GnuTLS key objects, ready to sign or verify
 * without parsing anything again. Immutable once made, so one key may be used
 * by many threads at once.
 */
typedef struct pc_jose_key pc_jose_key;

/**
 * Generate a key pair for `alg` (RS256/PS256: RSA 2048; ES256: P-256; EdDSA:
 * Ed25519). Both JWKs carry kid, alg and "use":"sig". Both outputs are new.
 */
pc_status pc_jose_key_generate(pc_jose_alg alg, const char *kid, json_t **private_jwk,
                               json_t **public_jwk);
/** Import a private JWK (to sign and verify) or a public one (to verify only). */
pc_status pc_jose_key_import(const json_t *jwk, pc_jose_key **out);
void pc_jose_key_free(pc_jose_key *k);
const char *pc_jose_key_kid(const pc_jose_key *k);
pc_jose_alg pc_jose_key_alg(const pc_jose_key *k);
int pc_jose_key_can_sign(const pc_jose_key *k);

/**
 * Sign claims into a compact JWS with header {"alg","kid","typ"} (typ may be
 * NULL to omit it). *jwt is new.
 */
pc_status pc_jose_sign(const pc_jose_key *k, const char *typ, const json_t *claims, char **jwt);
/** pc_jose_sign() with more header members (`header`, may be NULL; alg, kid, typ win). */
pc_status pc_jose_sign_with(const pc_jose_key *k, const char *typ, const json_t *header,
                            const json_t *claims, char **jwt);

/**
 * Verify a compact JWS against a set of keys: the key is chosen by the
 * header's kid, and the header's alg must equal that key's alg (so "none",
 * HMAC and any confusion are refused). On PC_OK *claims (and *header if not
 * NULL) are new. PC_ERR_INVALID for anything malformed, PC_ERR_DENIED for a
 * bad signature or an unknown kid. Checks no claims: that is the caller's.
 */
pc_status pc_jose_verify(const pc_jose_key *const *keys, size_t nkeys, const char *jwt,
                         json_t **header, json_t **claims);

/**
 * Verify a compact JWS whose header says alg HS256 with the shared `secret`
 * (RFC 7518 §3.2; client_secret_jwt, RFC 7523 §2.2). Only HS256 is accepted;
 * the MAC is compared in constant time. On PC_OK *claims is new.
 * PC_ERR_INVALID for anything malformed, PC_ERR_DENIED for a wrong MAC.
 */
pc_status pc_jose_verify_hs256(const char *secret, const char *jwt, json_t **claims);

/**
 * Read the header and claims of a compact JWS WITHOUT verifying it, to learn
 * which key should verify it (client assertions name their client in iss/sub,
 * DPoP proofs carry their key). Nothing read here may be trusted before
 * pc_jose_verify() succeeds. Either output may be NULL; the others are new.
 * PC_ERR_INVALID for anything malformed.
 */
pc_status pc_jose_peek(const char *jwt, json_t **header, json_t **claims);

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of a public EC, OKP or RSA JWK,
 * over its required members only. New string, or NULL if the JWK lacks one.
 */
char *pc_jose_jwk_thumbprint(const json_t *jwk);

/**
 * OIDC Core §3.1.3.6 at_hash (and c_hash): base64url of the left half of the
 * hash of `value`, the hash being the alg's (SHA-256; SHA-512 for EdDSA). New.
 */
char *pc_jose_half_hash(pc_jose_alg alg, const char *value);

#endif
