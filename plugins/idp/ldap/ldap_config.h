/* SPDX-License-Identifier: Apache-2.0 */
/* The settings of one LDAP identity-provider instance, read and checked from its `config`. */
#ifndef PC_LDAP_CONFIG_H
#define PC_LDAP_CONFIG_H

#include <jansson.h>

/** User fields of API.md §11 an LDAP attribute may fill, in this order. */
enum {
    LDAP_FIELD_USERNAME,
    LDAP_FIELD_EMAIL,
    LDAP_FIELD_NAME,
    LDAP_FIELD_GIVEN_NAME,
    LDAP_FIELD_FAMILY_NAME,
    LDAP_FIELD_PHONE_NUMBER,
    LDAP_FIELD_PICTURE,
    LDAP_FIELD_COUNT
};

/** The user-field name of LDAP_FIELD_* i ("username", "email", ...). */
const char *ldap_field_name(int i);

/**
 * One instance's settings. Strings are borrowed from the JSON they were read from
 * (valid while it is); absent optional strings are NULL.
 */
typedef struct ldap_cfg {
    const char *url;     /**< ldap://host[:port] or ldaps://host[:port] */
    int start_tls;       /**< StartTLS (RFC 4511 §4.14) on an ldap:// URL */
    const char *ca_file; /**< PEM file of the CAs to trust, else the system's */
    const char *bind_dn; /**< service account, or NULL for an anonymous search */
    const char *bind_password;
    const char *user_base;
    const char *user_filter;       /**< with {username} */
    const char *group_base;        /**< NULL: groups come from the entry's memberOf */
    const char *group_filter;      /**< with {dn} */
    const char *subject_attribute; /**< the stable id; absent on an entry: its DN */
    int timeout_s;
    const char *attr[LDAP_FIELD_COUNT]; /**< LDAP attribute per user field, or NULL */
    const json_t *group_roles;          /**< {"group DN": "role"}, or NULL */
} ldap_cfg;

/**
 * Read and check `config`. 0 with *cfg filled, or -1 with *field (the member at fault, a
 * static string, or NULL for the whole) and *problem (a static sentence).
 */
int ldap_cfg_read(const json_t *config, ldap_cfg *cfg, const char **field, const char **problem);

#endif
