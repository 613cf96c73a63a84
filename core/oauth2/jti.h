/* SPDX-License-Identifier: Apache-2.0 */
/* One-time JWT identifiers (client assertions, DPoP proofs): remembered in the store so a replay fails on any node. */
#ifndef PC_OAUTH2_JTI_H
#define PC_OAUTH2_JTI_H
#include <stdint.h>
#include <portcullis/status.h>

/**
 * Record that the JWT `jti` of `kind` ("assertion", "dpop") issued by `issuer`
 * (a client_id, a key thumbprint) was used in tenant `tenant_id`, remembered
 * until `expires_at`. PC_OK the first time; PC_ERR_CONFLICT if it was used
 * already (a replay); PC_ERR_STORAGE if the store cannot say. Thread-safe.
 */
pc_status pc_oauth2_jti_use(const char *tenant_id, const char *kind, const char *issuer,
                            const char *jti, int64_t expires_at);
#endif
