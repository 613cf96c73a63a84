/* SPDX-License-Identifier: Apache-2.0 */
/* The settings of one LDAP identity-provider instance, read and checked from its `config`. */
#include "ldap_config.h"
#include "ldap_filter.h"

#include <ldap.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_GROUP_FILTER "(|(member={dn})(uniqueMember={dn}))"
#define DEFAULT_TIMEOUT_S 5

static const char *const field_names[LDAP_FIELD_COUNT] = {
    "username", "email", "name", "given_name", "family_name", "phone_number", "picture"};

/* inetOrgPerson (RFC 2798) names, what most directories carry. */
static const char *const default_attrs[LDAP_FIELD_COUNT] = {
    "uid", "mail", "cn", "givenName", "sn", "telephoneNumber", NULL};

static const char *const known[] = {
    "url",         "start_tls",  "ca_file",      "bind_dn",    "bind_password", "user_base",
    "user_filter", "group_base", "group_filter", "attributes", "group_roles",   "subject_attribute",
    "timeout",     NULL};

const char *ldap_field_name(int i)
{
    return i >= 0 && i < LDAP_FIELD_COUNT ? field_names[i] : NULL;
}

typedef struct check {
    const char **field;
    const char **problem;
} check;

static int fail(const check *c, const char *field, const char *problem)
{
    *c->field = field;
    *c->problem = problem;
    return -1;
}

/* A string member: *out is it, or NULL when absent; -1 when present but not a non-empty string. */
static int opt_string(const json_t *config, const char *name, const char **out)
{
    const json_t *v = json_object_get(config, name);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return -1;
    *out = json_string_value(v);
    return 0;
}

static int is_loopback(const char *host)
{
    return host != NULL && (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0);
}

/* One ldap:// or ldaps:// URL naming only a host and port; plain LDAP only on loopback. */
static int check_url(const ldap_cfg *cfg, const check *c)
{
    LDAPURLDesc *u = NULL;
    int bad, plain;

    if (cfg->url == NULL)
        return fail(c, "url", "is required: ldaps://host or ldap://host");
    if (ldap_url_parse(cfg->url, &u) != LDAP_URL_SUCCESS)
        return fail(c, "url", "must be one ldap:// or ldaps:// URL");
    bad = (strcmp(u->lud_scheme, "ldap") != 0 && strcmp(u->lud_scheme, "ldaps") != 0) ||
          u->lud_host == NULL || *u->lud_host == '\0' || (u->lud_dn && *u->lud_dn) ||
          u->lud_attrs != NULL || u->lud_filter != NULL || u->lud_exts != NULL;
    plain = strcmp(u->lud_scheme, "ldap") == 0 && !cfg->start_tls && !is_loopback(u->lud_host);
    ldap_free_urldesc(u);
    if (bad)
        return fail(c, "url", "must be ldap://host[:port] or ldaps://host[:port], nothing more");
    /* The service account's and people's passwords never cross a network in clear. */
    if (plain)
        return fail(c, "url", "must be ldaps://, or ldap:// with start_tls, except on loopback");
    if (cfg->start_tls && strncmp(cfg->url, "ldaps:", 6) == 0)
        return fail(c, "start_tls", "applies to ldap:// URLs only (ldaps:// is TLS already)");
    return 0;
}

#define ATTR_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-;."

static int valid_attr(const char *name)
{
    return *name != '\0' && strspn(name, ATTR_CHARS) == strlen(name);
}

static int valid_dn(const char *dn)
{
    LDAPDN parsed = NULL;
    int rc = ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3);

    ldap_dnfree(parsed);
    return rc == LDAP_SUCCESS;
}

static int read_strings(const json_t *config, ldap_cfg *cfg, const check *c)
{
    static const struct {
        const char *name;
        size_t off;
    } members[] = {
        {"url", offsetof(ldap_cfg, url)},
        {"ca_file", offsetof(ldap_cfg, ca_file)},
        {"bind_dn", offsetof(ldap_cfg, bind_dn)},
        {"bind_password", offsetof(ldap_cfg, bind_password)},
        {"user_base", offsetof(ldap_cfg, user_base)},
        {"user_filter", offsetof(ldap_cfg, user_filter)},
        {"group_base", offsetof(ldap_cfg, group_base)},
        {"group_filter", offsetof(ldap_cfg, group_filter)},
        {"subject_attribute", offsetof(ldap_cfg, subject_attribute)},
    };

    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        const char **slot = (const char **)((char *)cfg + members[i].off);
        if (opt_string(config, members[i].name, slot) != 0)
            return fail(c, members[i].name, "must be a non-empty string");
    }
    return 0;
}

static int read_scalars(const json_t *config, ldap_cfg *cfg, const check *c)
{
    const json_t *tls = json_object_get(config, "start_tls");
    const json_t *t = json_object_get(config, "timeout");

    if (tls != NULL && !json_is_boolean(tls))
        return fail(c, "start_tls", "must be true or false");
    cfg->start_tls = json_is_true(tls);
    cfg->timeout_s = DEFAULT_TIMEOUT_S;
    if (t != NULL) {
        if (!json_is_integer(t) || json_integer_value(t) < 1 || json_integer_value(t) > 30)
            return fail(c, "timeout", "must be a number of seconds, 1..30");
        cfg->timeout_s = (int)json_integer_value(t);
    }
    return 0;
}

static int field_index(const char *name)
{
    for (int i = 0; i < LDAP_FIELD_COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

/* `attributes` overrides the defaults field by field; an empty string maps a field to nothing. */
static int read_attributes(const json_t *config, ldap_cfg *cfg, const check *c)
{
    const json_t *map = json_object_get(config, "attributes"), *v;
    const char *k;

    memcpy(cfg->attr, default_attrs, sizeof cfg->attr);
    if (map == NULL)
        return 0;
    if (!json_is_object(map))
        return fail(c, "attributes", "must map user fields to LDAP attribute names");
    json_object_foreach ((json_t *)map, k, v) {
        int i = field_index(k);
        if (i < 0)
            return fail(c, "attributes", "names a field that is not a user field of §11");
        if (!json_is_string(v) || (json_string_length(v) > 0 && !valid_attr(json_string_value(v))))
            return fail(c, "attributes", "values must be LDAP attribute names");
        cfg->attr[i] = json_string_length(v) ? json_string_value(v) : NULL;
    }
    return 0;
}

static int read_group_roles(const json_t *config, ldap_cfg *cfg, const check *c)
{
    const json_t *map = json_object_get(config, "group_roles"), *v;
    const char *k;

    cfg->group_roles = NULL;
    if (map == NULL || json_is_null(map))
        return 0;
    if (!json_is_object(map))
        return fail(c, "group_roles", "must map group DNs to role names");
    json_object_foreach ((json_t *)map, k, v) {
        if (!valid_dn(k) || *k == '\0')
            return fail(c, "group_roles", "keys must be group DNs");
        if (!json_is_string(v) || json_string_length(v) == 0)
            return fail(c, "group_roles", "values must be role names");
    }
    cfg->group_roles = map;
    return 0;
}

static int unknown_member(const json_t *config, const check *c)
{
    const char *k;
    const json_t *v;

    json_object_foreach ((json_t *)config, k, v) {
        size_t i = 0;
        while (known[i] != NULL && strcmp(known[i], k) != 0)
            i++;
        if (known[i] == NULL)
            return fail(c, NULL, "has a member the ldap kind does not know");
    }
    return 0;
}

static int check_dns(const ldap_cfg *cfg, const check *c)
{
    const char *problem;

    if (cfg->user_base == NULL || !valid_dn(cfg->user_base))
        return fail(c, "user_base", "must be the DN under which people are found");
    if (cfg->bind_dn != NULL && !valid_dn(cfg->bind_dn))
        return fail(c, "bind_dn", "must be a DN");
    if ((cfg->bind_dn == NULL) != (cfg->bind_password == NULL))
        return fail(c, cfg->bind_dn ? "bind_password" : "bind_dn",
                    "bind_dn and bind_password go together (neither: an anonymous search)");
    if (!valid_attr(cfg->subject_attribute))
        return fail(c, "subject_attribute", "must be an LDAP attribute name");
    if (cfg->group_base != NULL && !valid_dn(cfg->group_base))
        return fail(c, "group_base", "must be a DN");
    problem = ldap_filter_template_problem(cfg->user_filter, "username");
    if (problem != NULL)
        return fail(c, "user_filter", problem);
    problem = ldap_filter_template_problem(cfg->group_filter, "dn");
    if (problem != NULL)
        return fail(c, "group_filter", problem);
    return 0;
}

int ldap_cfg_read(const json_t *config, ldap_cfg *cfg, const char **field, const char **problem)
{
    check c = {field, problem};

    memset(cfg, 0, sizeof *cfg);
    if (!json_is_object(config))
        return fail(&c, NULL, "must be an object");
    if (unknown_member(config, &c) || read_strings(config, cfg, &c) ||
        read_scalars(config, cfg, &c) || read_attributes(config, cfg, &c) ||
        read_group_roles(config, cfg, &c))
        return -1;
    if (cfg->user_filter == NULL)
        cfg->user_filter = "(uid={username})";
    if (cfg->group_filter == NULL)
        cfg->group_filter = DEFAULT_GROUP_FILTER;
    if (cfg->subject_attribute == NULL)
        cfg->subject_attribute = "entryUUID";
    if (check_dns(cfg, &c) || check_url(cfg, &c))
        return -1;
    if (cfg->ca_file != NULL && (cfg->ca_file[0] != '/' || access(cfg->ca_file, R_OK) != 0))
        return fail(&c, "ca_file", "must be the absolute path of a readable PEM file");
    return 0;
}
