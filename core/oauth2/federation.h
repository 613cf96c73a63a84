/* SPDX-License-Identifier: Apache-2.0 */
/* Sign-in through an upstream identity provider (API.md §14): start, callback, then the usual decision. */
#ifndef PC_OAUTH2_FEDERATION_H
#define PC_OAUTH2_FEDERATION_H
#include "oauth2/authorize.h"

/** How long a sign-in may stay at the upstream, in seconds. */
#define PC_FED_STATE_TTL 600

/**
 * Start a sign-in at provider `name`: from the login page (a posted form with
 * `request` and `csrf`), or, with the parameter link=1, linking to the user
 * of the browser's session (from the account page). Sends the browser to the
 * upstream; *binding is the new value of the cookie that ties the callback to
 * this browser (new; NULL when none is to be set).
 */
void pc_fed_start(const pc_web_in *in, const char *name, pc_web_out *out, char **binding);
/**
 * Log that a sign-in at provider `name` (as asked for: logged only when it is a
 * provider name) of tenant `tenant` failed, and why (never a secret). Thread-safe.
 */
void pc_fed_log_failure(const char *tenant, const char *name, const char *why);
/**
 * The upstream's callback: the state is used up and must belong to this
 * browser (`binding`, the cookie's value), the plugin checks the answer,
 * then the person is linked, provisioned or refused, and the original
 * authorization request resumes (MFA and consent as for any sign-in).
 */
void pc_fed_callback(const pc_web_in *in, const char *name, const char *binding, pc_web_out *out);
#endif
