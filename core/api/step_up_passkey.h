/* SPDX-License-Identifier: Apache-2.0 */
/* Step-up with a passkey (issue #19, API.md §16): a short-lived proof in the Portcullis-Step-Up header. */
#ifndef PC_API_STEP_UP_PASSKEY_H
#define PC_API_STEP_UP_PASSKEY_H
#include "api/api.h"

/** The request header carrying a step-up proof of POST /me/step-up/webauthn/verify. */
#define PC_STEP_UP_PROOF_HEADER "Portcullis-Step-Up"

/**
 * Is `proof` a live step-up proof of this caller in this session (it lives the
 * tenant's step_up max_age from the passkey's use)? PC_OK, PC_ERR_DENIED or PC_ERR_STORAGE.
 */
pc_status pc_api_step_up_proof(pc_req *rq, const pc_principal *p, const char *proof);
#endif
