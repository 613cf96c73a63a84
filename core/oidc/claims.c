/* SPDX-License-Identifier: Apache-2.0 */
/* Standard claims of a user, released by scope (OIDC Core §5.4). */
#include "oidc/claims.h"

#include <string.h>

int pc_scope_has(const char *scope, const char *item)
{
    size_t n = strlen(item);
    const char *p = scope;

    while (p != NULL && *p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, item, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p = strchr(p, ' ');
    }
    return 0;
}

static void copy_claim(json_t *out, const json_t *user, const char *from, const char *to)
{
    json_t *v = json_object_get(user, from);

    if (v != NULL && !json_is_null(v))
        json_object_set(out, to, v);
}

json_t *pc_oidc_user_claims(const json_t *user, const char *scope)
{
    json_t *c = json_object();

    copy_claim(c, user, "id", "sub");
    if (pc_scope_has(scope, "profile")) {
        copy_claim(c, user, "username", "preferred_username");
        copy_claim(c, user, "name", "name");
        copy_claim(c, user, "given_name", "given_name");
        copy_claim(c, user, "family_name", "family_name");
        copy_claim(c, user, "picture", "picture");
        copy_claim(c, user, "updated_at", "updated_at");
    }
    if (pc_scope_has(scope, "email") && json_is_string(json_object_get(user, "email"))) {
        copy_claim(c, user, "email", "email");
        /* Verified by a link, an accepted invitation, or an administrator (API.md §11). */
        json_object_set_new(c, "email_verified",
                            json_boolean(json_is_true(json_object_get(user, "email_verified"))));
    }
    if (pc_scope_has(scope, "phone") && json_is_string(json_object_get(user, "phone_number"))) {
        copy_claim(c, user, "phone_number", "phone_number");
        json_object_set_new(c, "phone_number_verified", json_false());
    }
    return c;
}
