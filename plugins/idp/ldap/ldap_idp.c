/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `ldap` identity provider: checks a username and password against a directory (bind as
 * the service account, find the person with an RFC 4515-escaped filter, read their groups,
 * bind as them) and hands the host the person's identity. libldap does the protocol and TLS.
 */
#include <portcullis/portcullis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldap_config.h"
#include "ldap_person.h"
#include "ldap_session.h"

#define MISCONFIGURED "The directory sign-in is not set up correctly; tell an administrator."

static pc_status ldap_idp_init(const pc_host *host, const json_t *config, void **state)
{
    (void)config;
    if (host == NULL || host->log == NULL)
        return PC_ERR_INVALID;
    *state = (void *)host;
    return PC_OK;
}

static pc_status ldap_idp_check_config(void *state, const json_t *config, const char **field,
                                       const char **problem)
{
    ldap_cfg cfg;

    (void)state;
    return ldap_cfg_read(config, &cfg, field, problem) == 0 ? PC_OK : PC_ERR_INVALID;
}

/* Everything but the password check, as the service account; the identity only on PC_OK. */
static pc_status look_up(ldap_session *s, const char *username, const char *password,
                         pc_idp_identity *out)
{
    ldap_person p;
    json_t *groups = NULL;
    pc_status rc = ldap_session_open(s);

    if (rc == PC_OK)
        rc = ldap_person_find(s, username, &p);
    else
        memset(&p, 0, sizeof p);
    if (rc == PC_OK)
        rc = ldap_person_groups(s, &p, &groups);
    /* Last, since a bind as the person leaves the connection without the service's rights. */
    if (rc == PC_OK)
        rc = ldap_session_bind_user(s, p.dn, password);
    if (rc == PC_OK)
        rc = ldap_person_identity(s, &p, username, out);
    if (rc == PC_OK) {
        out->groups = groups;
        groups = NULL;
    }
    json_decref(groups);
    ldap_person_free(&p);
    return rc;
}

static pc_status ldap_idp_check_password(void *state, const pc_idp_call *call, const char *username,
                                         const char *password, pc_idp_identity *out)
{
    const pc_host *host = state;
    ldap_cfg cfg;
    ldap_session s = {.host = host, .call = call, .cfg = &cfg};
    const char *field = NULL, *problem = NULL;
    pc_status rc;

    if (ldap_cfg_read(call->config, &cfg, &field, &problem) != 0) {
        host->log(PC_LOG_ERROR, "ldap", "provider=%s tenant=%s: config.%s %s", call->provider,
                  call->tenant_id, field ? field : "", problem);
        call->error(call->ctx, MISCONFIGURED);
        return PC_ERR_INVALID;
    }
    if (username == NULL || *username == '\0')
        return PC_ERR_NOT_FOUND;
    rc = look_up(&s, username, password, out);
    ldap_session_close(&s);
    if (rc != PC_OK) {
        free(out->subject);
        out->subject = NULL;
        json_decref(out->claims);
        out->claims = NULL;
    }
    return rc;
}

/* For login pages: no button; the password form is checked here, which the page may say. */
static pc_status ldap_idp_describe(void *state, const pc_idp_call *call, json_t **out)
{
    const char *name = PC_IDP_CALL_HAS(call, display_name) ? call->display_name : NULL;
    char label[256];

    (void)state;
    if (name != NULL && *name != '\0')
        snprintf(label, sizeof label, "You can sign in with your %s username and password.", name);
    else
        snprintf(label, sizeof label, "You can sign in with your directory username and password.");
    *out = json_pack("{s:s,s:s,s:s}", "method", "directory", "icon", "directory", "label", label);
    return *out != NULL ? PC_OK : PC_ERR_INTERNAL;
}

static const char *const secret_fields[] = {"bind_password", NULL};

static const pc_idp_ops ldap_ops = {
    .base = PC_PLUGIN_BASE(pc_idp_ops, PC_KIND_IDP, "ldap", "1.0.0",
                           "LDAP directory sign-in: search, bind, groups to roles (libldap)",
                           ldap_idp_init, NULL),
    .kind = "ldap",
    .flags = PC_IDP_PASSWORD,
    .secret_fields = secret_fields,
    .check_config = ldap_idp_check_config,
    .describe = ldap_idp_describe,
    .begin = NULL,
    .finish = NULL,
    .check_password = ldap_idp_check_password,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ldap_ops.base;
}
