/* SPDX-License-Identifier: Apache-2.0 */
/* Where one-time codes of trusted applications go is a matter of applications:trust. */
#ifndef PC_API_PROVIDER_TRUST_H
#define PC_API_PROVIDER_TRUST_H
#include "api/api.h"

/**
 * May the caller create a delivery provider (`before` NULL) or change one
 * from `before` to `after` (records with plaintext-comparable config)?
 * Whoever sets where a trusted application's codes are sent can pass its
 * users' second factor: creating or changing the destination or default flag
 * of a provider that may send them (a tenant default of its kind, explicit or
 * as the only one, or one linked to a trusted application) needs
 * applications:trust. Returns 1, or 0 after replying 403 (503 on a store failure).
 */
int pc_api_may_change_provider(pc_req *rq, const pc_principal *p, const json_t *before,
                               const json_t *after);

/** May the caller link providers to, or set the default providers of, `app`? Same rule. */
int pc_api_may_route_app_codes(pc_req *rq, const pc_principal *p, const json_t *app);
#endif
