/* SPDX-License-Identifier: Apache-2.0 */
/* Password hashing with argon2id (libargon2) at the configured cost. */
#include "util/password.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <argon2.h>
#include <pthread.h>
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

pc_status pc_password_hash(const char *password, char **encoded)
{
    uint8_t salt[SALT_LEN];
    size_t len;
    char *out;

    if (password == NULL || pc_random(salt, sizeof salt) != PC_OK)
        return PC_ERR_INTERNAL;
    len = argon2_encodedlen(t_cost, m_cost, lanes, SALT_LEN, HASH_LEN, Argon2_id);
    out = pc_malloc(len);
    if (argon2id_hash_encoded(t_cost, m_cost, lanes, password, strlen(password), salt, SALT_LEN,
                              HASH_LEN, out, len) != ARGON2_OK) {
        free(out);
        return PC_ERR_CRYPTO;
    }
    *encoded = out;
    return PC_OK;
}

pc_status pc_password_verify(const char *encoded, const char *password)
{
    if (encoded == NULL || password == NULL)
        return PC_ERR_DENIED;
    /* argon2_verify compares in constant time. */
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK ? PC_OK
                                                                             : PC_ERR_DENIED;
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
