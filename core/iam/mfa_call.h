/* SPDX-License-Identifier: Apache-2.0 */
/* The pc_scheme_call a scheme plugin receives: tenant settings, delivery through providers, queued audits. */
#ifndef PC_IAM_MFA_CALL_H
#define PC_IAM_MFA_CALL_H
#include "iam/mfa.h"

typedef struct pc_mfa_call {
    pc_scheme_call call;
    const pc_mfa_actor *a;
    const pc_scheme_ops *ops;
    json_t *settings; /**< tenant settings "mfa".<method> (owned) */
    json_t *audits;   /**< [[type, details], ...] the scheme asked for (owned) */
    pc_factor factor;
} pc_mfa_call;

/** Prepare a call of `ops` for `factor_rec` (may be NULL: a new factor); unseals its secret. */
pc_status pc_mfa_call_open(pc_mfa_call *c, const pc_mfa_actor *a, const pc_scheme_ops *ops,
                           const json_t *factor_rec);
/** Write the audit events the scheme queued, in tx (may be NULL). */
void pc_mfa_call_audits(pc_mfa_call *c, pc_store_tx *tx);
/** The factor's secret sealed for storage (new), or NULL when it has none. */
char *pc_mfa_call_sealed_secret(const pc_mfa_call *c);
void pc_mfa_call_close(pc_mfa_call *c);
#endif
