/* SPDX-License-Identifier: Apache-2.0 */
/* One conversation with the directory for one sign-in: connect, TLS, binds, and what failed. */
#ifndef PC_LDAP_SESSION_H
#define PC_LDAP_SESSION_H

#include <portcullis/portcullis.h>
#include <ldap.h>

#include "ldap_config.h"

/** Borrowed host, call and settings; the handle is the session's own. Used by one thread. */
typedef struct ldap_session {
    const pc_host *host;
    const pc_idp_call *call;
    const ldap_cfg *cfg;
    LDAP *ld;
    ldap_conncb conncb;
    int connected; /**< a TCP connection was made (so a later failure may be TLS's) */
} ldap_session;

/**
 * Connect (through host->outbound_check), set up TLS with certificate checks, and bind as
 * the service account (or stay anonymous). PC_OK, or PC_ERR_UNAVAILABLE / PC_ERR_INVALID
 * already logged and told through call->error. Close the session in either case.
 */
pc_status ldap_session_open(ldap_session *s);

/**
 * Simple bind as `dn` with `password` (RFC 4513 §5.1.3; an empty password is refused here,
 * never sent, since it would be an unauthenticated bind). PC_OK; PC_ERR_DENIED for wrong
 * credentials; PC_ERR_UNAVAILABLE when the directory failed.
 */
pc_status ldap_session_bind_user(ldap_session *s, const char *dn, const char *password);

/**
 * Log a failed directory operation with the provider, what was being done and libldap's
 * reason (never a secret), tell `reason` to the person through call->error, return `st`.
 */
pc_status ldap_session_fail(ldap_session *s, int rc, pc_status st, const char *doing,
                            const char *reason);

/** The status a libldap result code means: PC_ERR_UNAVAILABLE for the directory failing. */
pc_status ldap_session_status(int rc);

void ldap_session_close(ldap_session *s);

#endif
