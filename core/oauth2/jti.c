/* SPDX-License-Identifier: Apache-2.0 */
/* One-time JWT identifiers: one unique row per (kind, issuer, jti) until the JWT expires. */
#include "oauth2/jti.h"
#include "server/server.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Expired rows are swept at most this often (seconds), by whichever request comes. */
#define SWEEP_EVERY 60

static void sweep(int64_t now)
{
    static int64_t last;

    if (__atomic_load_n(&last, __ATOMIC_RELAXED) + SWEEP_EVERY > now)
        return;
    __atomic_store_n(&last, now, __ATOMIC_RELAXED);
    PC_DB->expire(PC_DBS, PC_ENT_USED_JTI, "expires_at", now);
}

pc_status pc_oauth2_jti_use(const char *tenant_id, const char *kind, const char *issuer,
                            const char *jti, int64_t expires_at)
{
    int64_t now = pc_now();
    /* The name hashes every part with its length, so no two triples collide by concatenation. */
    char *name = pc_asprintf("%zu:%s|%zu:%s|%zu:%s", strlen(kind), kind, strlen(issuer), issuer,
                             strlen(jti), jti);
    char *id = pc_sha256_hex(name);
    json_t *rec = json_pack("{s:s,s:s,s:I,s:I}", "id", id, "tenant_id", tenant_id, "created_at",
                            (json_int_t)now, "expires_at", (json_int_t)expires_at);
    pc_status rc;

    sweep(now);
    rc = pc_db_insert(NULL, PC_ENT_USED_JTI, rec, NULL, 0);
    json_decref(rec);
    free(id);
    free(name);
    return rc == PC_OK || rc == PC_ERR_CONFLICT ? rc : PC_ERR_STORAGE;
}
