/* SPDX-License-Identifier: Apache-2.0 */
/* Finding a person in the directory, reading their attributes and their groups. */
#include "ldap_person.h"
#include "ldap_filter.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_GROUPS 1000
#define UNREACHABLE "The directory could not be reached. Please try again later."

/* The attributes to fetch: the mapped ones, the subject, memberOf without a group search. */
static void wanted_attrs(const ldap_cfg *cfg, char **attrs)
{
    size_t n = 0;

    for (int i = 0; i < LDAP_FIELD_COUNT; i++)
        if (cfg->attr[i] != NULL)
            attrs[n++] = (char *)cfg->attr[i];
    attrs[n++] = (char *)cfg->subject_attribute;
    if (cfg->group_base == NULL)
        attrs[n++] = "memberOf";
    attrs[n] = NULL;
}

pc_status ldap_person_find(ldap_session *s, const char *username, ldap_person *p)
{
    char *attrs[LDAP_FIELD_COUNT + 3];
    struct timeval tv = {s->cfg->timeout_s, 0};
    char *filter = ldap_filter_build(s->cfg->user_filter, "username", username);
    int rc, n;

    memset(p, 0, sizeof *p);
    if (filter == NULL)
        return PC_ERR_NOT_FOUND; /* a username longer than any directory's */
    wanted_attrs(s->cfg, attrs);
    /* Two are enough to know that a username is ambiguous. */
    rc = ldap_search_ext_s(s->ld, s->cfg->user_base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL,
                           NULL, &tv, 2, &p->res);
    free(filter);
    n = rc == LDAP_SUCCESS ? ldap_count_entries(s->ld, p->res) : -1;
    if (rc == LDAP_SIZELIMIT_EXCEEDED || n > 1)
        return ldap_session_fail(s, LDAP_SIZELIMIT_EXCEEDED, PC_ERR_DENIED,
                                 "search for the person (several entries match)", NULL);
    if (rc != LDAP_SUCCESS)
        return ldap_session_fail(s, rc, PC_ERR_UNAVAILABLE, "search for the person", UNREACHABLE);
    if (n == 0)
        return PC_ERR_NOT_FOUND;
    p->entry = ldap_first_entry(s->ld, p->res);
    p->dn = p->entry ? ldap_get_dn(s->ld, p->entry) : NULL;
    if (p->dn == NULL)
        return ldap_session_fail(s, LDAP_DECODING_ERROR, PC_ERR_UNAVAILABLE, "read the entry",
                                 UNREACHABLE);
    return PC_OK;
}

/* An attribute value as JSON text: as it is when it is UTF-8 without NUL, else in hex. */
static json_t *value_json(const struct berval *bv)
{
    static const char hex[] = "0123456789abcdef";
    json_t *j = NULL;
    char *h;

    if (memchr(bv->bv_val, '\0', bv->bv_len) == NULL)
        j = json_stringn(bv->bv_val, bv->bv_len);
    if (j != NULL || bv->bv_len > 1024)
        return j;
    h = malloc(bv->bv_len * 2 + 1);
    if (h == NULL)
        return NULL;
    for (size_t i = 0; i < bv->bv_len; i++) {
        h[2 * i] = hex[(unsigned char)bv->bv_val[i] >> 4];
        h[2 * i + 1] = hex[(unsigned char)bv->bv_val[i] & 0xf];
    }
    j = json_stringn(h, bv->bv_len * 2);
    free(h);
    return j;
}

/* The first value of `attr` on the entry, as new JSON, or NULL. */
static json_t *first_value(ldap_session *s, const ldap_person *p, const char *attr)
{
    struct berval **vals = ldap_get_values_len(s->ld, p->entry, attr);
    json_t *j = NULL;

    if (vals != NULL && vals[0] != NULL && vals[0]->bv_len > 0)
        j = value_json(vals[0]);
    ldap_value_free_len(vals);
    return j;
}

pc_status ldap_person_identity(ldap_session *s, const ldap_person *p, const char *username,
                               pc_idp_identity *out)
{
    json_t *subject = first_value(s, p, s->cfg->subject_attribute);
    json_t *claims = json_object();

    out->subject = strdup(subject ? json_string_value(subject) : p->dn);
    json_decref(subject);
    for (int i = 0; i < LDAP_FIELD_COUNT; i++) {
        json_t *v = s->cfg->attr[i] ? first_value(s, p, s->cfg->attr[i]) : NULL;
        if (v != NULL)
            json_object_set_new(claims, ldap_field_name(i), v);
    }
    /* The name the person signed in with, when the entry does not say it otherwise. */
    if (json_object_get(claims, "username") == NULL)
        json_object_set_new(claims, "username", json_string(username));
    out->claims = claims;
    return out->subject != NULL ? PC_OK : PC_ERR_INTERNAL;
}

/* Two DNs name one entry when their normalised forms agree without regard to case. */
static int same_dn(const char *a, const char *b)
{
    char *na = NULL, *nb = NULL;
    int same;

    if (ldap_dn_normalize(a, LDAP_DN_FORMAT_LDAPV3, &na, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
        ldap_dn_normalize(b, LDAP_DN_FORMAT_LDAPV3, &nb, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
        same = strcasecmp(a, b) == 0;
    else
        same = strcasecmp(na, nb) == 0;
    ldap_memfree(na);
    ldap_memfree(nb);
    return same;
}

/* Add a group, spelled as group_roles spells it when it is one of its keys; once each. */
static void add_group(const ldap_cfg *cfg, json_t *groups, const char *dn)
{
    const char *key, *name = dn;
    const json_t *v;
    size_t i;
    json_t *g;

    if (json_array_size(groups) >= MAX_GROUPS)
        return;
    json_object_foreach ((json_t *)cfg->group_roles, key, v) {
        if (same_dn(key, dn)) {
            name = key;
            break;
        }
    }
    json_array_foreach (groups, i, g)
        if (strcmp(json_string_value(g), name) == 0)
            return;
    json_array_append_new(groups, json_string(name));
}

static pc_status groups_from_member_of(ldap_session *s, const ldap_person *p, json_t *groups)
{
    struct berval **vals = ldap_get_values_len(s->ld, p->entry, "memberOf");

    for (size_t i = 0; vals != NULL && vals[i] != NULL; i++) {
        char *dn = strndup(vals[i]->bv_val, vals[i]->bv_len);
        if (dn != NULL && strlen(dn) == vals[i]->bv_len)
            add_group(s->cfg, groups, dn);
        free(dn);
    }
    ldap_value_free_len(vals);
    return PC_OK;
}

static pc_status groups_from_search(ldap_session *s, const ldap_person *p, json_t *groups)
{
    char *attrs[] = {LDAP_NO_ATTRS, NULL};
    struct timeval tv = {s->cfg->timeout_s, 0};
    char *filter = ldap_filter_build(s->cfg->group_filter, "dn", p->dn);
    LDAPMessage *res = NULL;
    int rc;

    if (filter == NULL)
        return PC_OK; /* a DN longer than LDAP_FILTER_VALUE_MAX belongs to no group we can ask about */
    rc = ldap_search_ext_s(s->ld, s->cfg->group_base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL,
                           NULL, &tv, MAX_GROUPS, &res);
    free(filter);
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        ldap_msgfree(res);
        return ldap_session_fail(s, rc, PC_ERR_UNAVAILABLE, "search for the person's groups",
                                 UNREACHABLE);
    }
    for (LDAPMessage *e = ldap_first_entry(s->ld, res); e != NULL; e = ldap_next_entry(s->ld, e)) {
        char *dn = ldap_get_dn(s->ld, e);
        if (dn != NULL)
            add_group(s->cfg, groups, dn);
        ldap_memfree(dn);
    }
    ldap_msgfree(res);
    return PC_OK;
}

pc_status ldap_person_groups(ldap_session *s, const ldap_person *p, json_t **groups)
{
    json_t *g = json_array();
    pc_status rc =
        s->cfg->group_base ? groups_from_search(s, p, g) : groups_from_member_of(s, p, g);

    if (rc != PC_OK) {
        json_decref(g);
        return rc;
    }
    *groups = g;
    return PC_OK;
}

void ldap_person_free(ldap_person *p)
{
    ldap_memfree(p->dn);
    ldap_msgfree(p->res);
    memset(p, 0, sizeof *p);
}
