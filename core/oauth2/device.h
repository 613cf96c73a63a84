/* SPDX-License-Identifier: Apache-2.0 */
/* Device authorization (RFC 8628): device and user codes, polling, and the person's decision. */
#ifndef PC_OAUTH2_DEVICE_H
#define PC_OAUTH2_DEVICE_H
#include "oauth2/authorize.h"
#include "oauth2/grant_ctx.h"
#include "oauth2/request.h"

/** How long a device authorization lives, seconds (RFC 8628 §3.2 expires_in). */
#define PC_DEVICE_TTL 600
/** The polling interval first asked of the device, seconds (RFC 8628 §3.2). */
#define PC_DEVICE_INTERVAL 5
/** Wrong user codes one address may enter per throttle window (RFC 8628 §5.1). */
#define PC_DEVICE_GUESSES 10

/** POST {issuer}/oauth2/device_authorization (RFC 8628 §3.1, §3.2). */
void pc_oauth2_device_authorization(const pc_oauth_request *rq, pc_oauth_reply *reply);
/** The device_code grant's host side (RFC 8628 §3.4, §3.5): see pc_grant_call.subject_device. */
pc_status pc_device_poll(pc_grant_ctx *ctx, const char *device_code);

/**
 * A user code as typed ("wdjb-mjht", "WDJB MJHT") in its canonical form
 * "WDJBMJHT" into buf (9 bytes); 0 unless it is 8 characters of the RFC 8628
 * §6.1 alphabet once dashes and spaces are dropped.
 */
int pc_device_user_code_normalise(const char *typed, char buf[9]);

/** Is the sealed authorization request `req` a device authorization's? */
int pc_device_request(const json_t *req);
/** The application of a device request, still allowed the grant (new), or NULL with out set. */
json_t *pc_device_client(const pc_tenant *t, const json_t *req, pc_web_out *out);
/** The person allowed the device (signed in, consent given): approve it once; sets out. */
void pc_device_approve(const pc_web_in *in, pc_web_out *out, const json_t *req,
                       const json_t *session);
/** The person denied the device: the device is told access_denied; sets out. */
void pc_device_deny(const pc_web_in *in, pc_web_out *out, const json_t *req);
#endif
