/* SPDX-License-Identifier: Apache-2.0 */
/* The relying party a tenant is: rpId and allowed origins, from its settings or from PUBLIC_URL. */
#ifndef WA_RP_H
#define WA_RP_H
#include <stddef.h>
#include <jansson.h>

#define WA_MAX_ORIGINS 8

/** A tenant's relying party; strings new, freed by wa_rp_clear. */
typedef struct wa_rp {
    char *id;
    char *origins[WA_MAX_ORIGINS];
    size_t n_origins;
} wa_rp;

/**
 * The relying party for `issuer` ({PUBLIC_URL}/t/{slug}) under `settings`
 * (the tenant's "mfa".webauthn object, may be NULL): rp_id defaults to the
 * host of PUBLIC_URL and origins to its scheme://host[:port]. Returns NULL,
 * or what is wrong (an rp_id that is not the origin's host or a parent domain of it).
 */
const char *wa_rp_of(const char *issuer, const json_t *settings, wa_rp *rp);
void wa_rp_clear(wa_rp *rp);
#endif
