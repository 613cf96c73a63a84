/* SPDX-License-Identifier: Apache-2.0 */
/* A tenant's signing keys: stored sealed, imported once, chosen by alg and time; JWKS rendered once. */
#ifndef PC_JOSE_KEYRING_H
#define PC_JOSE_KEYRING_H

#include <portcullis/portcullis.h>
#include "jose/jose.h"

typedef struct pc_keyring pc_keyring;

/** The algorithms every tenant holds a key for. */
extern const pc_jose_alg pc_keyring_algs[4];

/** Load and import a tenant's keys (private parts unsealed with the master key). Immutable after. */
pc_status pc_keyring_load(const char *tenant_id, const uint8_t *master_key, int64_t now,
                          pc_keyring **out);
/** A keyring from private JWKs already in memory (all active now); for tests and imports. */
pc_status pc_keyring_from_jwks(const json_t *private_jwks, pc_keyring **out);
void pc_keyring_free(pc_keyring *r);
/** Heap bytes a keyring holds, estimated from above (imported keys counted at 6 KiB each). */
size_t pc_keyring_footprint(const pc_keyring *r);
/** The key that signs with `alg` at `now`: the newest active one. NULL if none. */
const pc_jose_key *pc_keyring_signer(const pc_keyring *r, pc_jose_alg alg, int64_t now);
/** Every published key (active, upcoming or retired-but-unexpired), for verification. */
const pc_jose_key *const *pc_keyring_keys(const pc_keyring *r, size_t *n);
/** The public JWKS document (RFC 7517) as compact JSON; borrowed. */
const char *pc_keyring_jwks(const pc_keyring *r);

/** Generate one key per alg for a tenant in `tx`, signing from `activates_at`. */
pc_status pc_keyring_generate(pc_store_tx *tx, const char *tenant_id, const uint8_t *master_key,
                              int64_t now, int64_t activates_at);
/**
 * Rotate a tenant's keys in `tx`: new keys are published now and sign from
 * now + delay; the current ones stop signing then and stay published for
 * `max_token_ttl` more, until every token they signed has expired.
 */
pc_status pc_keyring_rotate(pc_store_tx *tx, const char *tenant_id, const uint8_t *master_key,
                            int64_t now, int64_t delay, int64_t max_token_ttl);
#endif
