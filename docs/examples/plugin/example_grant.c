/* SPDX-License-Identifier: Apache-2.0 */
/* Example grant plugin: client_credentials with one fixed scope, "example:read". */

/*
 * What it does
 * ------------
 * It serves grant_type "urn:portcullis:example:static-scope" at
 * POST /t/{tenant}/oauth2/token. Like client_credentials, the token is for the
 * calling client itself; unlike it, the scope is always exactly EXAMPLE_SCOPE,
 * whatever the request asks for. Public clients are refused.
 *
 * What it does not do
 * -------------------
 * It never mints, signs or stores anything: a grant plugin only decides who
 * the token is for and with which scope. The host has already authenticated
 * the client and checked that the client may use this grant type before
 * handle() runs, and the host mints the access token after it returns PC_OK.
 *
 * Build it out of tree with docs/examples/plugin/Makefile, or as part of the
 * project's own build (build/examples/grant_example_static_scope.so).
 */

/* The whole SDK is this one header (plus jansson, which it includes). */
#include <portcullis/portcullis.h>

#include <stddef.h>

#define EXAMPLE_NAME "example_static_scope"
#define EXAMPLE_GRANT_TYPE "urn:portcullis:example:static-scope"
#define EXAMPLE_SCOPE "example:read"

/* Does a struct that starts with `uint32_t struct_size` include MEMBER? */
#define HAS_MEMBER(ptr, type, member) \
    ((ptr)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * init(): called once at start, after the file passed the loader's checks.
 * `host` is the table of host services, valid until fini(); grant plugins
 * receive no configuration (config is NULL). What we put in *state comes
 * back as the first argument of handle() and of fini(). We keep the host
 * table so that handle() can log through it.
 */
static pc_status example_init(const pc_host *host, const json_t *config, void **state)
{
    (void)config;
    /* Read a host service only if this host's table is large enough to hold it. */
    if (!HAS_MEMBER(host, pc_host, log))
        return PC_ERR_INTERNAL; /* the loader unloads us and logs why */
    *state = (void *)host;      /* the table stays const: we only read it */
    return PC_OK;
}

/*
 * handle(): one token request. `call` is borrowed for this call only; every
 * string it hands out (param(), client_id) is borrowed too. Return PC_OK to
 * let the host mint the token; otherwise the host answers with the OAuth
 * error set through call->error() (default invalid_grant).
 */
static pc_status example_handle(void *state, const pc_grant_call *call)
{
    const pc_host *host = state;

    /* Everything used here is in pc_grant_call since ABI 1.0; a plugin that
     * used a member added in a later 1.x would check HAS_MEMBER() first. */
    if (!HAS_MEMBER(call, pc_grant_call, error))
        return PC_ERR_INTERNAL;

    /* RFC 6749 §4.4: a token for the client itself needs a client that can
     * keep a secret. The host renders this as 400 unauthorized_client. */
    if (call->client_is_public) {
        call->error(call->ctx, "unauthorized_client",
                    "public clients cannot use " EXAMPLE_GRANT_TYPE);
        return PC_ERR_DENIED;
    }

    /* Ignore the request's scope parameter and ask for the fixed scope. The
     * host still checks it against the scopes registered for the client: if
     * "example:read" is not among them, it sets invalid_scope (400) itself. */
    if (call->scope_grant(call->ctx, EXAMPLE_SCOPE) != PC_OK)
        return PC_ERR_DENIED;

    /* The token's subject is the client: sub = client_id, no refresh token. */
    if (call->subject_client(call->ctx) != PC_OK)
        return PC_ERR_INTERNAL;

    /* client_id is not a secret; never log secrets, codes or tokens. */
    host->log(PC_LOG_DEBUG, EXAMPLE_NAME, "granted %s to client %s", EXAMPLE_SCOPE,
              call->client_id);
    return PC_OK;
}

/* fini(): undo init(). We own nothing (the host table is the host's). */
static void example_fini(void *state)
{
    (void)state;
}

/*
 * The operations table. It starts with the pc_plugin descriptor, which
 * PC_PLUGIN_BASE fills in: ABI version, struct_size = sizeof(pc_grant_ops),
 * kind, name (unique among grant plugins), version and the one-line
 * description that `portcullis plugins` prints. It is const and static: the
 * host only reads it, for as long as the plugin is loaded.
 */
static const pc_grant_ops example_ops = {
    .base = PC_PLUGIN_BASE(pc_grant_ops, PC_KIND_GRANT, EXAMPLE_NAME, "1.0.0",
                           "Example: client credentials with the fixed scope " EXAMPLE_SCOPE,
                           example_init, example_fini),
    .grant_type = EXAMPLE_GRANT_TYPE,
    .handle = example_handle,
};

/*
 * The one exported symbol. Everything else in this file is static, and the
 * file is compiled with -fvisibility=hidden, so nothing else leaks out. The
 * prototype keeps -Wmissing-prototypes quiet.
 */
PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &example_ops.base;
}
