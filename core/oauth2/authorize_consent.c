/* SPDX-License-Identifier: Apache-2.0 */
/* The one-time nonce of each consent form (the consents themselves: oauth2/consent.c). */
#include "oauth2/authorize_internal.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define NONCE_BYTES 32
#define MAX_NONCE_LEN 64

char *pc_authz_consent_nonce_issue(const pc_tenant *t)
{
    char *nonce = pc_random_token(NONCE_BYTES), *hash = pc_sha256_hex(nonce);
    json_int_t now = pc_now();
    json_t *rec = json_pack("{s:s,s:s,s:I,s:I}", "id", hash, "tenant_id", t->id, "created_at", now,
                            "expires_at", now + PC_AUTHZ_FORM_TTL);
    pc_status rc = pc_db_insert(NULL, PC_ENT_CONSENT_NONCE, rec, NULL, 0);

    json_decref(rec);
    free(hash);
    /* Forms nobody used are of no further use once their sealed request has expired. */
    PC_DB->expire(PC_DBS, PC_ENT_CONSENT_NONCE, "expires_at", now);
    if (rc != PC_OK) {
        pc_free_secret(nonce);
        return NULL;
    }
    return nonce;
}

pc_status pc_authz_consent_nonce_take(const pc_tenant *t, const char *nonce)
{
    char *hash;
    pc_status rc;

    if (nonce == NULL || *nonce == '\0' || strlen(nonce) > MAX_NONCE_LEN)
        return PC_ERR_NOT_FOUND;
    hash = pc_sha256_hex(nonce);
    /* One DELETE decides: of two posts of one form, only the first removes the row. */
    rc = pc_db_remove(NULL, PC_ENT_CONSENT_NONCE, t->id, hash);
    free(hash);
    return rc == PC_OK || rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
}
