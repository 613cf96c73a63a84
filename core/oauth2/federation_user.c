/* SPDX-License-Identifier: Apache-2.0 */
/* Who an external identity is here (API.md §14): linked, linked by verified email, provisioned, or nobody. */
#include "oauth2/federation_user.h"
#include "oauth2/changes.h"
#include "iam/audit.h"
#include "iam/links.h"
#include "iam/users.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <strings.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *idp_str(const pc_fed_who *w, const char *name)
{
    return json_string_value(json_object_get(w->idp, name));
}

static const char *claim(const pc_fed_who *w, const char *name)
{
    return json_string_value(json_object_get(w->identity->claims, name));
}

/* The user linked to (provider, subject) (new), or the store status. */
static pc_status linked_user(const pc_fed_who *w, json_t **user)
{
    json_t *filters = json_pack("{s:s,s:s}", "provider_id", idp_str(w, "id"), "subject",
                                w->identity->subject),
           *rows = NULL;
    pc_store_query q = {.filters = filters, .after = NULL, .limit = 2, .descending = 0};
    pc_status rc = pc_db_list(NULL, PC_ENT_IDENTITY, w->tenant_id, &q, &rows);

    json_decref(filters);
    if (rc == PC_OK && json_array_size(rows) == 0)
        rc = PC_ERR_NOT_FOUND;
    if (rc == PC_OK)
        rc =
            pc_db_get(NULL, PC_ENT_USER, w->tenant_id, "id",
                      json_string_value(json_object_get(json_array_get(rows, 0), "user_id")), user);
    json_decref(rows);
    return rc;
}

/* Insert the link and audit identity.linked, in tx. */
static pc_status link_in(pc_store_tx *tx, const pc_fed_who *w, const char *user_id, char *conflict)
{
    char id[37];
    json_t *rec, *details;
    pc_status rc;

    pc_uuid7(id);
    rec =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:I}", "id", id, "tenant_id", w->tenant_id, "user_id",
                  user_id, "provider_id", idp_str(w, "id"), "subject", w->identity->subject,
                  "email", claim(w, "email"), "linked_at", (json_int_t)pc_now());
    rc = pc_db_insert(tx, PC_ENT_IDENTITY, rec, conflict, 64);
    details =
        json_pack("{s:s,s:s}", "provider", idp_str(w, "name"), "subject", w->identity->subject);
    if (rc == PC_OK)
        rc = pc_audit_record(tx, w->tenant_id, "identity.linked",
                             w->client_id ? w->client_id : "system", user_id, w->ip, details);
    json_decref(details);
    json_decref(rec);
    return rc;
}

pc_status pc_fed_link(const pc_fed_who *w, const char *user_id)
{
    pc_store_tx *tx = NULL;
    char conflict[64] = "";
    pc_status rc = pc_db_begin(&tx);

    if (rc == PC_OK)
        rc = link_in(tx, w, user_id, conflict);
    return pc_db_finish(tx, rc);
}

/* A username from the upstream's, else the email's local part, else provider-subject. */
static char *username_for(const pc_fed_who *w, int attempt)
{
    const char *base = claim(w, "username");
    char *name, *at, suffix[16] = "";

    if (base != NULL && *base != '\0')
        name = pc_strdup(base);
    else if (claim(w, "email") != NULL && (at = strchr(claim(w, "email"), '@')) != NULL)
        name = pc_strndup(claim(w, "email"), (size_t)(at - claim(w, "email")));
    else
        name = pc_asprintf("%s-%s", idp_str(w, "name"), w->identity->subject);
    if (strlen(name) > 100)
        name[100] = '\0';
    if (attempt > 0) {
        uint32_t r = 0;
        pc_random(&r, sizeof r);
        snprintf(suffix, sizeof suffix, "-%06x", (unsigned)(r & 0xffffff));
    }
    at = pc_asprintf("%s%s", name, suffix);
    free(name);
    return at;
}

/* A new user record from the upstream's claims (new). */
static json_t *new_user(const pc_fed_who *w, int attempt)
{
    static const char *const copied[] = {"name", "given_name", "family_name", "phone_number", NULL};
    char id[37], *username = username_for(w, attempt),
                 *email = pc_iam_email_normal(claim(w, "email"));
    json_int_t now = pc_now();
    json_t *u;

    pc_uuid7(id);
    u = json_pack("{s:s,s:s,s:s,s:s?,s:n,s:I,s:I,s:n,s:s,s:b,s:{},s:n}", "id", id, "tenant_id",
                  w->tenant_id, "username", username, "email", email, "password_hash", "created_at",
                  now, "updated_at", now, "deleted_at", "status", "active", "email_verified",
                  email != NULL &&
                      json_is_true(json_object_get(w->identity->claims, "email_verified")),
                  "attributes", "last_login_at");
    for (size_t i = 0; copied[i] != NULL; i++)
        if (claim(w, copied[i]) != NULL)
            json_object_set_new(u, copied[i], json_string(claim(w, copied[i])));
    if (claim(w, "picture") != NULL && strncmp(claim(w, "picture"), "https://", 8) == 0)
        json_object_set_new(u, "picture", json_string(claim(w, "picture")));
    free(username);
    free(email);
    return u;
}

/* Room for one more user under max_users (API.md §12)? PC_OK, PC_ERR_LIMIT or the store's status. */
static pc_status room(const pc_fed_who *w)
{
    json_t *filters;
    int64_t n = 0;
    pc_status rc;

    if (w->max_users < 0)
        return PC_OK;
    if (PC_DB->base.struct_size < offsetof(pc_storage_ops, count) + sizeof PC_DB->count ||
        PC_DB->count == NULL)
        return PC_ERR_LIMIT;
    filters = json_pack("{s:n}", "deleted_at");
    rc = PC_DB->count(PC_DBS, NULL, PC_ENT_USER, w->tenant_id, filters, &n);
    json_decref(filters);
    return rc != PC_OK ? rc : n < w->max_users ? PC_OK : PC_ERR_LIMIT;
}

/* The first member name of `obj`, or "". */
static const char *first_key(const json_t *obj)
{
    void *it = json_object_iter((json_t *)obj);

    return it ? json_object_iter_key(it) : "";
}

/* Just-in-time provisioning: the user, its default roles, the link, audited. */
static pc_status provision(const pc_fed_who *w, json_t **user)
{
    pc_status rc = room(w);
    char conflict[64] = "";
    json_t *unknown = NULL;

    if (rc != PC_OK)
        return rc;
    rc = PC_ERR_CONFLICT;

    /* A taken username gets a random suffix; a taken email is a conflict the person must solve. */
    for (int attempt = 0; attempt < 3 && rc == PC_ERR_CONFLICT && strcmp(conflict, "email") != 0;
         attempt++) {
        pc_store_tx *tx = NULL;
        json_t *u = new_user(w, attempt);
        const char *uid = json_string_value(json_object_get(u, "id"));
        json_t *details = json_pack("{s:s}", "provider", idp_str(w, "name"));
        rc = pc_db_begin(&tx);
        if (rc == PC_OK)
            rc = pc_db_insert(tx, PC_ENT_USER, u, conflict, sizeof conflict);
        if (rc == PC_OK)
            rc = pc_iam_set_roles(tx, w->tenant_id, uid, json_object_get(w->idp, "default_roles"),
                                  &unknown);
        if (rc == PC_ERR_INVALID) /* a default role deleted since: nobody is half-made */
            pc_warn("federated provisioning refused: tenant=%s provider=%s: a default role no "
                    "longer exists (%s)",
                    w->tenant_id, idp_str(w, "name"), first_key(unknown));
        if (rc == PC_OK)
            rc = pc_audit_record(tx, w->tenant_id, "user.created", "system", uid, w->ip, details);
        if (rc == PC_OK)
            rc = link_in(tx, w, uid, conflict);
        rc = pc_db_finish(tx, rc);
        json_decref(details);
        json_decref(unknown);
        unknown = NULL;
        if (rc == PC_OK)
            *user = u;
        else
            json_decref(u);
    }
    return rc;
}

/* link_by_email "verified": the user whose email the upstream vouches for, now linked. */
static pc_status by_email(const pc_fed_who *w, json_t **user, const char **step)
{
    const char *email = claim(w, "email");
    json_t *u = NULL;
    pc_status rc;

    if (strcmp(idp_str(w, "link_by_email"), "verified") != 0 || email == NULL ||
        !json_is_true(json_object_get(w->identity->claims, "email_verified")))
        return PC_ERR_NOT_FOUND;
    /* the store compares emails by their Unicode case fold (core/util/fold.c), as it keeps them */
    rc = pc_db_get(NULL, PC_ENT_USER, w->tenant_id, "email", email, &u);
    if (rc == PC_OK && !json_is_null(json_object_get(u, "deleted_at")))
        rc = PC_ERR_NOT_FOUND;
    /* a disabled or frozen user is refused before anything is written for them */
    if (rc == PC_OK && !pc_iam_user_active(u, pc_now())) {
        *user = u;
        return PC_ERR_DENIED;
    }
    /* Pre-hijacking: an address nobody proved here (set by whoever made the account) never
     * captures the owner's first SSO sign-in; the person verifies it or links from the account. */
    if (rc == PC_OK && !json_is_true(json_object_get(u, "email_verified")))
        rc = PC_ERR_CONFLICT;
    if (rc == PC_OK)
        rc = pc_fed_link(w, json_string_value(json_object_get(u, "id")));
    if (rc == PC_ERR_STORAGE)
        *step = "looking up or linking the user of the upstream's email";
    if (rc != PC_OK)
        json_decref(u);
    else
        *user = u;
    return rc;
}

/* config.group_roles: hold each mapped role exactly when one of its groups is present. */
static pc_status apply_group_roles(const pc_fed_who *w, const char *user_id)
{
    json_t *map = json_object_get(json_object_get(w->idp, "config"), "group_roles"), *role, *g;
    const char *group;
    pc_status rc = PC_OK;
    size_t i;

    json_object_foreach (map, group, role) {
        json_t *r = NULL;
        int member = 0;
        json_array_foreach (w->identity->groups, i, g)
            member |= json_is_string(g) && strcasecmp(json_string_value(g), group) == 0;
        if (rc != PC_OK || pc_db_get(NULL, PC_ENT_ROLE, w->tenant_id, "name",
                                     json_string_value(role), &r) != PC_OK)
            continue;
        rc = member ? PC_DB->link_add(PC_DBS, NULL, PC_LINK_PRINCIPAL_ROLE, w->tenant_id, user_id,
                                      json_string_value(json_object_get(r, "id")))
                    : PC_DB->link_remove(PC_DBS, NULL, PC_LINK_PRINCIPAL_ROLE, w->tenant_id,
                                         user_id, json_string_value(json_object_get(r, "id")));
        json_decref(r);
    }
    /* every node recompiles the user's permission set */
    if (rc == PC_OK)
        rc = pc_iam_permissions_changed(NULL, w->tenant_id);
    /* ...this one at once, so that the tokens of this very sign-in carry the roles (ldap e2e) */
    if (rc == PC_OK)
        pc_changes_sync();
    return rc;
}

pc_status pc_fed_user_resolve(const pc_fed_who *w, json_t **user, const char **step)
{
    pc_status rc = linked_user(w, user);

    *step = "looking up the linked identity";
    if (rc == PC_OK && !pc_iam_user_active(*user, pc_now()))
        return PC_ERR_DENIED; /* nothing is written for a user who may not sign in */
    if (rc == PC_ERR_NOT_FOUND)
        rc = by_email(w, user, step);
    if (rc == PC_ERR_NOT_FOUND && json_is_true(json_object_get(w->idp, "jit"))) {
        *step = "provisioning the user";
        rc = provision(w, user);
    }
    if (rc == PC_OK &&
        json_object_size(json_object_get(json_object_get(w->idp, "config"), "group_roles")) > 0) {
        *step = "mapping groups to roles";
        rc = apply_group_roles(w, json_string_value(json_object_get(*user, "id")));
        if (rc != PC_OK) {
            json_decref(*user);
            *user = NULL;
        }
    }
    return rc;
}
