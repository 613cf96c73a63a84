/* SPDX-License-Identifier: Apache-2.0 */
/* Passkey sign-in ceremonies (issue #19): single-use challenges and the browser's request options. */
#ifndef PC_OAUTH2_PASSKEY_H
#define PC_OAUTH2_PASSKEY_H
#include <jansson.h>
#include "iam/mfa.h"

#define PC_PASSKEY_METHOD "webauthn"
#define PC_PASSKEY_TTL 300

/** The loaded scheme that signs in with browser options (sign_in_options), or NULL. */
const pc_scheme_ops *pc_passkey_scheme(const char *method, void **state);
/**
 * A new sign-in challenge: 32 random bytes as base64url (new), stored hashed
 * for PC_PASSKEY_TTL seconds so that it is good once; NULL on a store failure.
 * `binding` (may be NULL): a secret of the sign-in (its mfa_token) that
 * taking the challenge must name again.
 */
char *pc_passkey_challenge_issue(const pc_tenant *t, const char *binding);
/**
 * A random secret of 32 bytes (base64url, new) stored hashed under `tag` for
 * `ttl` seconds; NULL on a store failure. Challenges and step-up proofs.
 */
char *pc_passkey_secret_issue(const pc_tenant *t, const char *tag, int64_t ttl);
/** Is the secret live under `tag`: PC_OK (`take`: and now used up), PC_ERR_NOT_FOUND, PC_ERR_STORAGE. */
pc_status pc_passkey_secret_check(const pc_tenant *t, const char *tag, const char *secret,
                                  int take);
/** Use a challenge up: PC_OK once, PC_ERR_NOT_FOUND (used, expired, never issued), PC_ERR_STORAGE. */
pc_status pc_passkey_challenge_take(const pc_tenant *t, const char *challenge, const char *binding);
/** The challenge a response's clientDataJSON names (new), or NULL when it names none. */
char *pc_passkey_response_challenge(const char *response);
/**
 * The PublicKeyCredentialRequestOptionsJSON text (new) for `challenge`: for
 * the credentials of `factor` (a record) of `user`, or, with both NULL, for
 * any discoverable credential (passwordless). NULL when none can be made.
 */
char *pc_passkey_options(const pc_tenant *t, const json_t *user, const json_t *factor,
                         const char *challenge);
#endif
