/* SPDX-License-Identifier: Apache-2.0 */
/* One conversation with the directory for one sign-in: connect, TLS, binds, and what failed. */
#include "ldap_session.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#define UNREACHABLE "The directory could not be reached. Please try again later."
#define SERVICE_REFUSED \
    "The directory refused the sign-in service's own account; tell an administrator."
#define TLS_REFUSED "The directory's certificate could not be verified, so no password was sent."

#define HAS_MEMBER(ptr, type, member) \
    ((ptr)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

pc_status ldap_session_status(int rc)
{
    switch (rc) {
    case LDAP_SUCCESS: return PC_OK;
    case LDAP_INVALID_CREDENTIALS: return PC_ERR_DENIED;
    case LDAP_NO_SUCH_OBJECT: return PC_ERR_NOT_FOUND;
    default: return PC_ERR_UNAVAILABLE;
    }
}

pc_status ldap_session_fail(ldap_session *s, int rc, pc_status st, const char *doing,
                            const char *reason)
{
    char *diag = NULL;

    if (s->ld != NULL)
        ldap_get_option(s->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    s->host->log(st == PC_ERR_UNAVAILABLE ? PC_LOG_WARNING : PC_LOG_INFO, "ldap",
                 "provider=%s tenant=%s url=%s: %s failed: %s (%d)%s%s", s->call->provider,
                 s->call->tenant_id, s->cfg->url, doing, ldap_err2string(rc), rc,
                 diag && *diag ? "; " : "", diag && *diag ? diag : "");
    ldap_memfree(diag);
    if (reason != NULL)
        s->call->error(s->call->ctx, reason);
    return st;
}

/* Called by libldap once each TCP connection is up, before a byte is sent on it. */
static int on_connect(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
                      struct ldap_conncb *ctx)
{
    ldap_session *s = ctx->lc_arg;
    size_t len =
        addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

    (void)ld;
    (void)sb;
    (void)srv;
    if (HAS_MEMBER(s->host, pc_host, outbound_check) && s->host->outbound_check(addr, len) != PC_OK)
        return LDAP_CONNECT_ERROR;
    s->connected = 1;
    return 0;
}

static void on_disconnect(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
    (void)ld;
    (void)sb;
    (void)ctx;
}

static int set_options(ldap_session *s)
{
    int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0, rc;
    struct timeval tv = {s->cfg->timeout_s, 0};

    s->conncb.lc_add = on_connect;
    s->conncb.lc_del = on_disconnect;
    s->conncb.lc_arg = s;
    rc = ldap_set_option(s->ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
    if (rc == LDAP_SUCCESS)
        rc = ldap_set_option(s->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    if (rc == LDAP_SUCCESS)
        rc = ldap_set_option(s->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    if (rc == LDAP_SUCCESS)
        rc = ldap_set_option(s->ld, LDAP_OPT_TIMEOUT, &tv);
    if (rc == LDAP_SUCCESS)
        rc = ldap_set_option(s->ld, LDAP_OPT_CONNECT_CB, &s->conncb);
    /* RFC 4513 §3.1.3: the server's identity is checked; no certificate, no conversation. */
    if (rc == LDAP_SUCCESS)
        rc = ldap_set_option(s->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
    if (rc == LDAP_SUCCESS && s->cfg->ca_file != NULL)
        rc = ldap_set_option(s->ld, LDAP_OPT_X_TLS_CACERTFILE, s->cfg->ca_file);
    if (rc == LDAP_SUCCESS)
        rc = ldap_set_option(s->ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
    return rc;
}

/* Over ldaps://, a connection made and then lost before any answer is a TLS handshake refused. */
static int tls_refused(const ldap_session *s, int rc)
{
    return strncmp(s->cfg->url, "ldaps:", 6) == 0 && s->connected &&
           (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR);
}

pc_status ldap_session_open(ldap_session *s)
{
    struct berval cred = {0, NULL};
    int rc = ldap_initialize(&s->ld, s->cfg->url);

    if (rc != LDAP_SUCCESS)
        return ldap_session_fail(s, rc, PC_ERR_INVALID, "initialize", UNREACHABLE);
    rc = set_options(s);
    if (rc != LDAP_SUCCESS)
        return ldap_session_fail(s, rc, PC_ERR_INVALID, "set TLS options", TLS_REFUSED);
    if (s->cfg->start_tls) {
        rc = ldap_start_tls_s(s->ld, NULL, NULL);
        if (rc != LDAP_SUCCESS)
            return ldap_session_fail(s, rc, PC_ERR_UNAVAILABLE, "StartTLS",
                                     rc == LDAP_CONNECT_ERROR ? TLS_REFUSED : UNREACHABLE);
    }
    if (s->cfg->bind_dn != NULL) {
        cred.bv_val = (char *)s->cfg->bind_password;
        cred.bv_len = strlen(s->cfg->bind_password);
    }
    rc = ldap_sasl_bind_s(s->ld, s->cfg->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    if (rc == LDAP_SUCCESS)
        return PC_OK;
    /* A refused service account is the directory's setup, not the person's password. */
    if (tls_refused(s, rc))
        return ldap_session_fail(s, rc, PC_ERR_UNAVAILABLE,
                                 "TLS handshake (certificate not trusted, or not for this host)",
                                 TLS_REFUSED);
    return ldap_session_fail(s, rc, PC_ERR_UNAVAILABLE, "bind as the service account",
                             rc == LDAP_INVALID_CREDENTIALS ? SERVICE_REFUSED : UNREACHABLE);
}

pc_status ldap_session_bind_user(ldap_session *s, const char *dn, const char *password)
{
    struct berval cred;
    int rc;

    if (password == NULL || *password == '\0')
        return PC_ERR_DENIED;
    cred.bv_val = (char *)password;
    cred.bv_len = strlen(password);
    rc = ldap_sasl_bind_s(s->ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    if (rc == LDAP_SUCCESS)
        return PC_OK;
    if (rc == LDAP_INVALID_CREDENTIALS)
        return PC_ERR_DENIED;
    return ldap_session_fail(s, rc, PC_ERR_UNAVAILABLE, "bind as the person", UNREACHABLE);
}

void ldap_session_close(ldap_session *s)
{
    if (s->ld != NULL)
        ldap_unbind_ext_s(s->ld, NULL, NULL);
    s->ld = NULL;
}
