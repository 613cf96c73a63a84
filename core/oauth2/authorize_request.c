/* SPDX-License-Identifier: Apache-2.0 */
/* Where an authorization request's parameters come from: the query, a pushed request (RFC 9126 §4) or a request object (RFC 9101 §5). */
#include "oauth2/authorize_internal.h"
#include "oauth2/par.h"
#include "server/store.h"

#include <string.h>

static const char *pushed_param(void *ctx, const char *name)
{
    return json_string_value(json_object_get(ctx, name));
}

/* The application named by client_id, without the redirect URI check (that is made on what the request resolves to). */
static json_t *client_of(const pc_web_in *in, pc_web_out *out)
{
    const char *client_id = in->param(in->param_ctx, "client_id");
    json_t *app = NULL;
    pc_status rc =
        client_id == NULL || strlen(client_id) > 256
            ? PC_ERR_NOT_FOUND
            : pc_db_get(NULL, PC_ENT_APPLICATION, in->tenant->id, "client_id", client_id, &app);

    if (rc == PC_ERR_STORAGE)
        pc_authz_unavailable(out);
    else if (rc != PC_OK)
        pc_authz_error_page(out, 400, "invalid_client",
                            "The application that sent you here is not known to this server.");
    return rc == PC_OK ? app : NULL;
}

static int resolve_pushed(const pc_web_in *in, const char *uri, json_t **params, pc_web_out *out)
{
    pc_status rc =
        pc_oauth2_par_take(in->tenant, uri, in->param(in->param_ctx, "client_id"), params);

    if (rc == PC_ERR_STORAGE)
        pc_authz_unavailable(out);
    else if (rc != PC_OK) /* RFC 9126 §4: unknown, used or expired */
        pc_authz_error_page(out, 400, "invalid_request_uri",
                            "This sign-in link has expired or was used already. Go back to the "
                            "application and start again.");
    return rc == PC_OK;
}

static int resolve_object(const pc_web_in *in, const char *jwt, json_t **params, pc_web_out *out)
{
    json_t *app = client_of(in, out);
    const char *why;
    pc_status rc;

    if (app == NULL)
        return 0;
    rc = pc_oauth2_request_object(app, jwt, in->tenant->issuer, params, &why);
    json_decref(app);
    /* The redirect URI inside is not trusted yet: the person is told, not the client. */
    if (rc != PC_OK)
        pc_authz_error_page(out, 400, "invalid_request_object",
                            "The application sent a sign-in request that could not be verified.");
    return rc == PC_OK;
}

int pc_authz_resolve_request(const pc_web_in *in, pc_web_in *resolved, json_t **params, int *pushed,
                             pc_web_out *out)
{
    const char *uri = in->param(in->param_ctx, "request_uri");
    const char *jwt = in->param(in->param_ctx, "request");

    *resolved = *in;
    *params = NULL;
    *pushed = 0;
    if (uri == NULL && jwt == NULL)
        return 1;
    if (uri != NULL && jwt != NULL) {
        pc_authz_error_page(out, 400, "invalid_request",
                            "The application sent a sign-in request that is not valid.");
        return 0;
    }
    if (uri != NULL ? !resolve_pushed(in, uri, params, out) : !resolve_object(in, jwt, params, out))
        return 0;
    *pushed = uri != NULL;
    resolved->param = pushed_param;
    resolved->param_ctx = *params;
    return 1;
}
