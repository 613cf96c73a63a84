/* SPDX-License-Identifier: Apache-2.0 */
/* Password hashing with argon2id (libargon2) at the configured cost. */
#include "util/password.h"
#include "util/argon2_pool.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <argon2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SALT_LEN 16
#define HASH_LEN 32
#define MIN_PASSWORD 8
#define MAX_PASSWORD 1024

static uint32_t t_cost = 2, m_cost = 19456, lanes = 1;
static char *burn_hash;
static pthread_once_t burn_once = PTHREAD_ONCE_INIT;

void pc_password_configure(uint32_t t, uint32_t m, uint32_t p)
{
    t_cost = t;
    m_cost = m;
    lanes = p;
}

/* Standard base64 without padding, as the PHC string format writes it. New string. */
static char *b64_std(const uint8_t *data, size_t len)
{
    char *s = pc_b64url_encode(data, len);

    for (char *p = s; *p; p++)
        *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
    return s;
}

static pc_status b64_std_decode(const char *s, size_t n, uint8_t *out, size_t want)
{
    char buf[128];
    uint8_t *raw = NULL;
    size_t len = 0;
    pc_status rc;

    if (n >= sizeof buf)
        return PC_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        buf[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    rc = pc_b64url_decode(buf, n, &raw, &len);
    if (rc == PC_OK && len != want)
        rc = PC_ERR_INVALID;
    if (rc == PC_OK)
        memcpy(out, raw, len);
    free(raw);
    return rc;
}

/* argon2id into out[HASH_LEN], with memory from the pool (util/argon2_pool.c). */
static int run_argon2(const char *password, const uint8_t *salt, uint32_t t, uint32_t m, uint32_t p,
                      uint8_t out[HASH_LEN])
{
    argon2_context ctx = {.out = out,
                          .outlen = HASH_LEN,
                          .pwd = (uint8_t *)password,
                          .pwdlen = (uint32_t)strlen(password),
                          .salt = (uint8_t *)salt,
                          .saltlen = SALT_LEN,
                          .t_cost = t,
                          .m_cost = m,
                          .lanes = p,
                          .threads = p,
                          .version = ARGON2_VERSION_13,
                          .allocate_cbk = pc_argon2_pool_take,
                          .free_cbk = pc_argon2_pool_give,
                          .flags = ARGON2_DEFAULT_FLAGS};

    return argon2id_ctx(&ctx);
}

pc_status pc_password_hash(const char *password, char **encoded)
{
    uint8_t salt[SALT_LEN], out[HASH_LEN];
    char *salt64, *hash64;

    if (password == NULL || pc_random(salt, sizeof salt) != PC_OK)
        return PC_ERR_INTERNAL;
    if (run_argon2(password, salt, t_cost, m_cost, lanes, out) != ARGON2_OK)
        return PC_ERR_CRYPTO;
    salt64 = b64_std(salt, sizeof salt);
    hash64 = b64_std(out, sizeof out);
    /* The PHC string format, as argon2id_hash_encoded writes it. */
    *encoded =
        pc_asprintf("$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s", m_cost, t_cost, lanes, salt64, hash64);
    free(salt64);
    free(hash64);
    return PC_OK;
}

pc_status pc_password_verify(const char *encoded, const char *password)
{
    uint32_t v, m, t, p;
    int head = 0;
    const char *salt, *hash;
    uint8_t salt_raw[SALT_LEN], want[HASH_LEN], got[HASH_LEN];

    if (encoded == NULL || password == NULL)
        return PC_ERR_DENIED;
    /* $argon2id$v=19$m=M,t=T,p=P$SALT$HASH */
    if (sscanf(encoded, "$argon2id$v=%u$m=%u,t=%u,p=%u$%n", &v, &m, &t, &p, &head) != 4 ||
        head == 0 || v != ARGON2_VERSION_13 || m > 4194304 || t > 100 || p == 0 || p > 64)
        return PC_ERR_DENIED;
    salt = encoded + head;
    hash = strchr(salt, '$');
    if (hash == NULL || b64_std_decode(salt, (size_t)(hash - salt), salt_raw, SALT_LEN) != PC_OK ||
        b64_std_decode(hash + 1, strlen(hash + 1), want, HASH_LEN) != PC_OK)
        return PC_ERR_DENIED;
    if (run_argon2(password, salt_raw, t, m, p, got) != ARGON2_OK)
        return PC_ERR_DENIED;
    return pc_ct_equal(got, HASH_LEN, want, HASH_LEN) ? PC_OK : PC_ERR_DENIED;
}

static void make_burn_hash(void)
{
    if (pc_password_hash("portcullis-timing-equaliser", &burn_hash) != PC_OK)
        burn_hash = NULL;
}

void pc_password_burn(const char *password)
{
    pthread_once(&burn_once, make_burn_hash);
    if (burn_hash != NULL)
        (void)pc_password_verify(burn_hash, password ? password : "");
}

const char *pc_password_problem(const char *password)
{
    size_t n = password ? strlen(password) : 0;

    if (n < MIN_PASSWORD)
        return "must be at least 8 characters";
    if (n > MAX_PASSWORD)
        return "must be at most 1024 characters";
    return NULL;
}
