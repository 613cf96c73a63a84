/* SPDX-License-Identifier: Apache-2.0 */
/* OIDC Back-Channel Logout 1.0: which applications hold a session's tokens, and the outbox of logout tokens. */
#ifndef PC_OIDC_BACKCHANNEL_H
#define PC_OIDC_BACKCHANNEL_H
#include <jansson.h>
#include <portcullis/storage.h>
#include "iam/tenant.h"

/** The event of a logout token (OIDC Back-Channel Logout 1.0 §2.4). */
#define PC_BCL_EVENT "http://schemas.openid.net/event/backchannel-logout"

/**
 * Remember that application `app` received tokens of session `sid` of user
 * `user_id`, if it registered a backchannel_logout_uri (else nothing). A
 * failure is logged and not returned: the tokens are issued all the same.
 */
void pc_backchannel_note(const pc_tenant *t, const json_t *app, const char *sid,
                         const char *user_id);

/**
 * Session `sid` ends in `tx`: queue a logout token for every application that
 * received tokens of it, in the same transaction (delivered after commit by
 * the back-channel worker, retried, never in the request that ended it).
 */
pc_status pc_backchannel_session_ended(pc_store_tx *tx, const pc_tenant *t, const char *sid);

/** The logout token for a queued message (OIDC Back-Channel Logout 1.0 §2.4), signed. New. */
char *pc_backchannel_logout_token(const pc_tenant *t, const json_t *msg);

/** Start the delivery worker (one thread per process); stop it. */
pc_status pc_backchannel_start(void);
void pc_backchannel_stop(void);
/** Wake the worker: messages were queued. */
void pc_backchannel_kick(void);
#endif
