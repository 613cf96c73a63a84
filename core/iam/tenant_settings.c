/* SPDX-License-Identifier: Apache-2.0 */
/* Tenant settings (API.md §13): their names, ranges and defaults; checking a change; the effective view. */
#include "iam/tenant_settings.h"
#include "iam/permissions.h"
#include "server/server.h"

#include <stdio.h>
#include <string.h>

typedef enum setting_kind {
    K_INT,
    K_NULLABLE_INT,
    K_ALG,
    K_REGISTRATION,
    K_BOOL,
    K_STEP_UP,
    K_MESSAGES,
    K_TEXT,
    K_NAMES, /* organizations (API.md §18): an array of role names */
    K_DCR    /* dynamic client registration (RFC 7591): off|open|protected */
} setting_kind;

typedef struct setting {
    const char *name;
    setting_kind kind;
    int64_t min, max;
    int64_t def; /* for K_INT; -1: the server setting of the same name */
} setting;

#define SERVER_DEFAULT (-1)

static const setting settings[] = {
    {"access_ttl", K_INT, 30, 86400, SERVER_DEFAULT},
    {"refresh_ttl", K_INT, 60, 31536000, SERVER_DEFAULT},
    {"session_ttl", K_INT, 60, 31536000, SERVER_DEFAULT},
    {"code_ttl", K_INT, 1, 600, SERVER_DEFAULT},
    {"access_token_alg", K_ALG, 0, 0, 0},
    {"id_token_alg", K_ALG, 0, 0, 0},
    {"registration", K_REGISTRATION, 0, 0, 0},
    {"reset_ttl", K_INT, 60, 604800, 3600},
    {"verify_ttl", K_INT, 60, 2592000, 86400},
    {"invitation_ttl", K_INT, 60, 2592000, 259200},
    {"max_users", K_NULLABLE_INT, 1, 1000000000, 0},
    {"password_min_length", K_INT, 8, 1024, 8},
    {"mfa_required", K_BOOL, 0, 0, 0},
    {"step_up", K_STEP_UP, 1, 86400, 0},
    {"max_roles_per_user", K_INT, 1, 10000, 50},
    {"max_permissions_per_role", K_INT, 1, 100000, 1000},
    {"max_roles", K_INT, 1, 100000, 500},
    {"messages", K_MESSAGES, 0, 0, 0},
    {"audience", K_TEXT, 1, 2048, 0},
    /* ---- organizations (API.md §18) ---- */
    {"organization_registration", K_REGISTRATION, 0, 0, 0},
    {"organization_owner_roles", K_NAMES, 0, 50, 0},
    /* ---- end of organizations ---- */
    {"dynamic_client_registration", K_DCR, 0, 0, 0}, /* API.md §19 */
};
#define NSETTINGS (sizeof settings / sizeof *settings)

const char *const pc_tenant_message_kinds[] = {"password_reset", "email_verification", "invitation",
                                               NULL};

#define MAX_SUBJECT 200
#define MAX_TEXT 8192

static const setting *find(const char *name)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return &settings[i];
    return NULL;
}

static int64_t server_default(const char *name)
{
    const pc_config *c = &pc_srv->cfg;

    if (strcmp(name, "access_ttl") == 0)
        return c->access_ttl;
    if (strcmp(name, "refresh_ttl") == 0)
        return c->refresh_ttl;
    if (strcmp(name, "session_ttl") == 0)
        return c->session_ttl;
    return c->code_ttl;
}

int64_t pc_tenant_setting_default(const char *name)
{
    const setting *s = find(name);

    if (s == NULL || (s->kind != K_INT && s->kind != K_NULLABLE_INT))
        return 0;
    return s->def == SERVER_DEFAULT ? server_default(name) : s->def;
}

static void note(json_t *bad, const char *name, const char *sub, const char *reason)
{
    char key[128];

    snprintf(key, sizeof key, sub ? "settings.%s.%s" : "settings.%s", name, sub);
    json_object_set_new(bad, key, json_string(reason));
}

/* {"permissions":[...],"max_age":N} (API.md §16). */
static void check_step_up(const setting *s, const json_t *v, json_t *bad)
{
    const json_t *perms = json_object_get(v, "permissions"), *age = json_object_get(v, "max_age");
    const char *key;
    json_t *item;
    size_t i;

    if (!json_is_object(v)) {
        note(bad, s->name, NULL, "must be an object {\"permissions\",\"max_age\"} or null");
        return;
    }
    json_object_foreach ((json_t *)v, key, item)
        if (strcmp(key, "permissions") != 0 && strcmp(key, "max_age") != 0)
            note(bad, s->name, key, "unexpected");
    if (!json_is_array(perms))
        note(bad, s->name, "permissions", "must be an array of permissions");
    json_array_foreach (perms, i, item)
        if (!pc_perm_valid(json_string_value(item)))
            note(bad, s->name, "permissions", "must be an array of permissions");
    if (!json_is_integer(age) || json_integer_value(age) < s->min ||
        json_integer_value(age) > s->max)
        note(bad, s->name, "max_age", "must be an integer from 1 to 86400");
}

static int is_message_kind(const char *k)
{
    for (size_t i = 0; pc_tenant_message_kinds[i] != NULL; i++)
        if (strcmp(pc_tenant_message_kinds[i], k) == 0)
            return 1;
    return 0;
}

/* {"password_reset":{"subject","text"}, ...}: the message templates (docs/people.md). */
static void check_messages(const setting *s, const json_t *v, json_t *bad)
{
    const char *kind, *field;
    json_t *m, *text;

    if (!json_is_object(v)) {
        note(bad, s->name, NULL, "must be an object of message kinds");
        return;
    }
    json_object_foreach ((json_t *)v, kind, m) {
        if (!is_message_kind(kind) || !json_is_object(m)) {
            note(bad, s->name, kind,
                 "must be password_reset, email_verification or invitation: "
                 "{\"subject\",\"text\"}");
            continue;
        }
        json_object_foreach (m, field, text) {
            size_t max = strcmp(field, "subject") == 0 ? MAX_SUBJECT : MAX_TEXT;
            if ((strcmp(field, "subject") != 0 && strcmp(field, "text") != 0) ||
                !json_is_string(text) || *json_string_value(text) == '\0' ||
                strlen(json_string_value(text)) > max ||
                (max == MAX_SUBJECT && strpbrk(json_string_value(text), "\r\n") != NULL))
                note(bad, s->name, kind, "subject (one line, 200 bytes) and text (8 KiB), strings");
        }
    }
}

/* An array of at most s->max distinct non-empty role names. */
static void check_names(const setting *s, const json_t *v, json_t *bad)
{
    json_t *item;
    size_t i;

    if (!json_is_array(v) || json_array_size(v) > (size_t)s->max) {
        note(bad, s->name, NULL, "must be an array of at most 50 role names");
        return;
    }
    json_array_foreach (v, i, item)
        if (!json_is_string(item) || *json_string_value(item) == '\0' ||
            strlen(json_string_value(item)) > 200)
            note(bad, s->name, NULL, "must be an array of at most 50 role names");
}

static void check_one(const setting *s, const json_t *v, json_t *bad)
{
    const char *str = json_string_value(v);
    int64_t n = json_integer_value(v);
    char reason[96];

    switch (s->kind) {
    case K_INT:
    case K_NULLABLE_INT:
        snprintf(reason, sizeof reason, "must be an integer from %lld to %lld%s", (long long)s->min,
                 (long long)s->max, s->kind == K_NULLABLE_INT ? ", or null" : "");
        if (!json_is_integer(v) || n < s->min || n > s->max)
            note(bad, s->name, NULL, reason);
        break;
    case K_ALG:
        if (str == NULL || (strcmp(str, "RS256") != 0 && strcmp(str, "PS256") != 0 &&
                            strcmp(str, "ES256") != 0 && strcmp(str, "EdDSA") != 0))
            note(bad, s->name, NULL, "must be RS256, PS256, ES256 or EdDSA");
        break;
    case K_REGISTRATION:
        if (str == NULL || (strcmp(str, "open") != 0 && strcmp(str, "closed") != 0))
            note(bad, s->name, NULL, "must be open or closed");
        break;
    case K_DCR:
        if (str == NULL ||
            (strcmp(str, "off") != 0 && strcmp(str, "open") != 0 && strcmp(str, "protected") != 0))
            note(bad, s->name, NULL, "must be off, open or protected");
        break;
    case K_BOOL:
        if (!json_is_boolean(v))
            note(bad, s->name, NULL, "must be true or false");
        break;
    case K_TEXT:
        if (str == NULL || *str == '\0' || strlen(str) > (size_t)s->max)
            note(bad, s->name, NULL, "must be a non-empty string");
        break;
    case K_NAMES: check_names(s, v, bad); break;
    case K_STEP_UP: check_step_up(s, v, bad); break;
    case K_MESSAGES: check_messages(s, v, bad); break;
    }
}

json_t *pc_tenant_settings_apply(const json_t *stored, const json_t *patch, json_t *bad,
                                 json_t *unknown)
{
    json_t *out = json_is_object(stored) ? json_deep_copy(stored) : json_object(), *v;
    const char *name;
    char key[128];

    json_object_foreach ((json_t *)patch, name, v) {
        const setting *s = find(name);
        if (s == NULL) {
            snprintf(key, sizeof key, "settings.%s", name);
            json_object_set_new(unknown, key, json_string("unexpected"));
        } else if (json_is_null(v)) {
            json_object_del(out, name);
        } else {
            check_one(s, v, bad);
            json_object_set(out, name, v);
        }
    }
    /* The names of before: the TTLs used to be stored as access_token_ttl, refresh_token_ttl. */
    if (json_object_get(patch, "access_ttl") != NULL)
        json_object_del(out, "access_token_ttl");
    if (json_object_get(patch, "refresh_ttl") != NULL)
        json_object_del(out, "refresh_token_ttl");
    if (json_object_size(bad) > 0 || json_object_size(unknown) > 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *default_of(const setting *s)
{
    switch (s->kind) {
    case K_INT: return json_integer(pc_tenant_setting_default(s->name));
    case K_ALG: return json_string(strcmp(s->name, "access_token_alg") == 0 ? "ES256" : "RS256");
    case K_REGISTRATION: return json_string("closed");
    case K_DCR: return json_string("off");
    case K_BOOL: return json_false();
    case K_MESSAGES: return json_object();
    case K_NAMES: return json_array();
    default: return json_null();
    }
}

json_t *pc_tenant_settings_view(const json_t *stored)
{
    json_t *view = json_object(), *v;
    static const char *const old_names[][2] = {{"access_ttl", "access_token_ttl"},
                                               {"refresh_ttl", "refresh_token_ttl"}};

    for (size_t i = 0; i < NSETTINGS; i++) {
        v = json_object_get(stored, settings[i].name);
        for (size_t j = 0; v == NULL && j < 2; j++)
            if (strcmp(old_names[j][0], settings[i].name) == 0)
                v = json_object_get(stored, old_names[j][1]);
        json_object_set_new(view, settings[i].name, v ? json_incref(v) : default_of(&settings[i]));
    }
    return view;
}
