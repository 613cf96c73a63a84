/* SPDX-License-Identifier: Apache-2.0 */
/* The organization step of browser sign-in (API.md §18): the picker, organization=, and the remembered choice. */
#include "oauth2/authorize_internal.h"
#include "iam/orgs.h"
#include "server/store.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

/* Is the user still a member of org_id? 1, 0, or -1 when the store cannot tell. */
static int member_of(const pc_tenant *t, const char *org_id, const char *user_id)
{
    pc_status rc = pc_org_membership(NULL, t->id, org_id, user_id, NULL);

    return rc == PC_OK ? 1 : rc == PC_ERR_NOT_FOUND ? 0 : -1;
}

/* organization= of the authorization request: one of the user's, or an error back to the client. */
static int requested(const pc_web_in *in, pc_web_out *out, const json_t *req, const char *user_id,
                     char org_id[40])
{
    json_t *org = NULL;
    pc_status rc = pc_org_find(in->tenant->id, pc_authz_str(req, "organization"), &org);
    int m = rc == PC_OK
                ? member_of(in->tenant, json_string_value(json_object_get(org, "id")), user_id)
            : rc == PC_ERR_NOT_FOUND ? 0
                                     : -1;

    if (m > 0)
        snprintf(org_id, 40, "%s", json_string_value(json_object_get(org, "id")));
    json_decref(org);
    if (m < 0)
        pc_authz_unavailable(out);
    else if (m == 0)
        pc_authz_fail(in->tenant, req, "invalid_request",
                      "organization is unknown or the user is not a member of it", out);
    return m > 0;
}

static void picker(const pc_web_in *in, pc_web_out *out, json_t *req, json_t *orgs,
                   const char *message)
{
    out->outcome = PC_WEB_ORGANIZATION;
    out->orgs = json_incref(orgs);
    out->message = message;
    pc_authz_form_tokens(in, out, req);
}

/* No choice made yet: the only organization, none, or the picker. */
static int ask(const pc_web_in *in, pc_web_out *out, json_t *req, const char *user_id,
               char org_id[40])
{
    json_t *orgs = NULL;
    int decided = 0;

    if (pc_org_of_user(in->tenant->id, user_id, &orgs) != PC_OK) {
        pc_authz_unavailable(out);
        return 0;
    }
    if (json_array_size(orgs) <= 1) {
        snprintf(org_id, 40, "%s",
                 json_array_size(orgs)
                     ? json_string_value(json_object_get(json_array_get(orgs, 0), "id"))
                     : "");
        decided = 1;
    } else if (pc_authz_prompt_has(req, "none")) {
        /* OIDC Core §3.1.2.6: the person must choose, and may not be asked. */
        pc_authz_fail(in->tenant, req, "interaction_required", "choose an organization", out);
    } else {
        picker(in, out, req, orgs, NULL);
    }
    json_decref(orgs);
    return decided;
}

int pc_authz_organization(const pc_web_in *in, pc_web_out *out, json_t *req, const json_t *session,
                          char org_id[40])
{
    const char *user_id = pc_authz_str(session, "user_id");
    const char *chosen = pc_authz_str(req, "org_id");
    /* prompt=select_account (OIDC Core §3.1.2.1) asks again despite a remembered choice. */
    const char *remembered =
        pc_authz_prompt_has(req, "select_account") ? NULL : pc_authz_str(session, "org_id");
    int m;

    *org_id = '\0';
    if (chosen != NULL || (pc_authz_str(req, "organization") == NULL && remembered != NULL)) {
        m = member_of(in->tenant, chosen ? chosen : remembered, user_id);
        if (m < 0) {
            pc_authz_unavailable(out);
            return 0;
        }
        if (m > 0) {
            snprintf(org_id, 40, "%s", chosen ? chosen : remembered);
            return 1;
        }
        json_object_del(req, "org_id"); /* no longer a member: choose again */
    }
    if (pc_authz_str(req, "organization") != NULL)
        return requested(in, out, req, user_id, org_id);
    return ask(in, out, req, user_id, org_id);
}

/* Remember the choice in the browser session, when the person asked to. */
static void remember(const pc_web_in *in, const char *org_id)
{
    json_t *session = NULL, *user = NULL, *patch;

    if (pc_browser_session_find(in->tenant, in->session_cookie, &session, &user) == PC_OK) {
        patch = json_pack("{s:s}", "org_id", org_id);
        if (pc_db_update(NULL, PC_ENT_SESSION, in->tenant->id, pc_authz_str(session, "id"), patch,
                         NULL, 0) != PC_OK)
            pc_warn("cannot remember an organization choice: tenant=%s", in->tenant->slug);
        json_decref(patch);
    }
    json_decref(session);
    json_decref(user);
}

void pc_oauth2_authorize_organization(const pc_web_in *in, pc_web_out *out)
{
    const char *choice = in->param(in->param_ctx, "organization");
    const char *keep = in->param(in->param_ctx, "remember");
    json_t *req, *org = NULL;
    pc_status rc;

    memset(out, 0, sizeof *out);
    req = pc_authz_form_request(in, out);
    if (req == NULL)
        return;
    rc = choice ? pc_org_find(in->tenant->id, choice, &org) : PC_ERR_NOT_FOUND;
    if (rc == PC_ERR_STORAGE) {
        pc_authz_unavailable(out);
    } else if (rc != PC_OK) {
        pc_authz_error_page(out, 400, "invalid_request", "Choose one of your organizations.");
    } else {
        json_object_set(req, "org_id", json_object_get(org, "id"));
        json_object_del(req, "organization");
        if (keep != NULL && strcmp(keep, "1") == 0)
            remember(in, json_string_value(json_object_get(org, "id")));
        /* The decision checks the membership again, and goes on to consent or the code. */
        pc_authz_decide(in, out, req, in->session_cookie, 0);
    }
    json_decref(org);
    json_decref(req);
}
