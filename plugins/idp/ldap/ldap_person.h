/* SPDX-License-Identifier: Apache-2.0 */
/* Finding a person in the directory, reading their attributes and their groups. */
#ifndef PC_LDAP_PERSON_H
#define PC_LDAP_PERSON_H

#include "ldap_session.h"

/** The one entry a username names; `res` owns `entry`. */
typedef struct ldap_person {
    LDAPMessage *res;
    LDAPMessage *entry;
    char *dn; /**< ldap_memfree() */
} ldap_person;

/**
 * Search user_base with user_filter, the username escaped (RFC 4515). PC_OK with *p;
 * PC_ERR_NOT_FOUND when no entry matches; PC_ERR_DENIED when several do (logged);
 * PC_ERR_UNAVAILABLE when the directory failed (logged, told). Free with ldap_person_free.
 */
pc_status ldap_person_find(ldap_session *s, const char *username, ldap_person *p);

/** subject (subject_attribute, else the DN) and claims (the mapped user fields) into *out. */
pc_status ldap_person_identity(ldap_session *s, const ldap_person *p, const char *username,
                               pc_idp_identity *out);

/**
 * The person's groups as a new JSON array of DNs: found under group_base with group_filter,
 * else the entry's memberOf. A DN equal to a key of group_roles (compared as DNs) is
 * given as that key is written. PC_ERR_UNAVAILABLE when the search failed.
 */
pc_status ldap_person_groups(ldap_session *s, const ldap_person *p, json_t **groups);

void ldap_person_free(ldap_person *p);

#endif
