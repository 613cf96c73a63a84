/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer harness for the identity-provider plugins' parsers of upstream answers:
 * claims mapping over any JSON (plugins/idp/common) and ID token verification (plugins/idp/oidc). */
#include "idp_util.h"
#include "oidc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: a mapping (JSON) on the first line, then an upstream answer (JSON), or an ID token
 * after a line "--". */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char jwks_text[] =
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"use\":\"sig\","
        "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";
    char *text = malloc(size + 1), *nl, *token;
    json_t *mapping, *source, *claims, *jwks = json_loads(jwks_text, 0, NULL);
    oidc_expect e = {.issuer = "https://up.example", .client_id = "c", .nonce = "n", .now = 1};
    const char *why;
    char *sub, *scopes;

    memcpy(text, data, size);
    text[size] = '\0';
    nl = strchr(text, '\n');
    mapping = json_loadb(text, nl ? (size_t)(nl - text) : size, 0, NULL);
    token = nl ? strstr(nl, "\n--\n") : NULL;
    source = nl && token == NULL ? json_loads(nl + 1, 0, NULL) : NULL;
    claims = idp_claims_map(source, mapping, mapping);
    idp_json_path(source, json_string_value(json_object_get(mapping, "path")));
    sub = idp_subject_of(idp_json_path(source, "sub"));
    scopes = idp_scopes(mapping, "openid");
    idp_amr_has_mfa(json_object_get(source, "amr"));
    json_decref(claims);
    claims = NULL;
    if (token != NULL && oidc_verify_id_token(token + 4, jwks, &e, &claims, &why) == PC_OK)
        abort(); /* nothing the harness can forge verifies with a key it does not hold */
    json_decref(claims);
    free(sub);
    free(scopes);
    json_decref(mapping);
    json_decref(source);
    json_decref(jwks);
    free(text);
    return 0;
}
