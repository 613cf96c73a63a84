/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the sealed authorization request the sign-in pages post back in a hidden field
 * (pc_authz_unseal in core/oauth2/authorize_session.c: base64url, AES-GCM, then JSON).
 * Input: the "request" form value. The master key is gen_seeds.c's, so its seeds open.
 */
#include "fuzz_support.h"
#include "oauth2/authorize_internal.h"
#include "server/server.h"

static pc_server srv;
static pc_tenant tenant;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memset(srv.master_key, FUZZ_KEY_BYTE, sizeof srv.master_key);
    pc_srv = &srv;
    strcpy(tenant.id, FUZZ_TENANT_ID);
    tenant.issuer = FUZZ_ISSUER;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sealed = fuzz_cstr(data, size);
    json_t *req = pc_authz_unseal(&tenant, sealed);

    /* Only a live request object of this tenant comes out. */
    if (req != NULL) {
        FUZZ_ASSERT(json_is_object(req));
        FUZZ_ASSERT(json_integer_value(json_object_get(req, "exp")) >= pc_now());
    }
    json_decref(req);
    free(sealed);
    return 0;
}
