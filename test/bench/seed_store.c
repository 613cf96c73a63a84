/* SPDX-License-Identifier: Apache-2.0 */
/* Seeds a store through its storage plugin (the same operations the server uses), for test/bench/scale.sh. */

/*
 * Usage:
 *   seed_store PLUGIN.so URI tenants N
 *       N tenants "seed-<i>" with empty settings (their keys are made on first
 *       need by no one: they exist to be counted at start, not to sign)
 *   seed_store PLUGIN.so URI users SLUG N PASSWORD_HASH
 *       N users "user<i>" (email user<i>@example.test, name "Person <i>") in the
 *       tenant SLUG, all with the given argon2id hash
 * Inserts in transactions of 1,000 and prints the rate every 100,000 records.
 */
#include "../storage/storage_host.h"

#include <portcullis/portcullis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 1000

static const pc_storage_ops *ops;
static void *st;

/* A UUIDv7: milliseconds, then a counter in place of the random bits (ids stay in order). */
static void uuid7(char out[37])
{
    static uint64_t counter;
    struct timespec ts;
    uint64_t ms, c = ++counter;

    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    snprintf(out, 37, "%08llx-%04llx-7%03llx-8%03llx-%012llx",
             (unsigned long long)((ms >> 16) & 0xffffffffULL), (unsigned long long)(ms & 0xffff),
             (unsigned long long)((c >> 48) & 0xfff), (unsigned long long)((c >> 36) & 0xfff),
             (unsigned long long)(c & 0xffffffffffffULL));
}

static int open_store(const char *plugin, const char *uri)
{
    void *dl;
    int from, to;

    ops = pc_test_storage_load(plugin, &dl);
    return ops != NULL && pc_test_storage_open(ops, pc_test_host(PC_LOG_WARNING), uri, 2, &st,
                                               &from, &to) == PC_OK
               ? 0
               : -1;
}

static json_t *tenant_record(long i, int64_t now)
{
    char id[37], slug[32];

    uuid7(id);
    snprintf(slug, sizeof slug, "seed-%ld", i);
    return json_pack("{s:s,s:s,s:s,s:{},s:I}", "id", id, "slug", slug, "name", slug, "settings",
                     "created_at", (json_int_t)now);
}

static json_t *user_record(const char *tenant_id, long i, const char *hash, int64_t now)
{
    char id[37], username[32], email[64], name[32];

    uuid7(id);
    snprintf(username, sizeof username, "user%ld", i);
    snprintf(email, sizeof email, "user%ld@example.test", i);
    snprintf(name, sizeof name, "Person %ld", i);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", id, "tenant_id", tenant_id,
                     "username", username, "email", email, "name", name, "password_hash", hash,
                     "created_at", (json_int_t)now, "updated_at", (json_int_t)now);
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Insert n records made by make(i) in transactions of BATCH. */
static int insert_all(pc_entity ent, long n, json_t *(*make)(long i, void *arg), void *arg)
{
    double t0 = seconds();
    pc_store_tx *tx = NULL;

    for (long i = 0; i < n; i++) {
        json_t *rec = make(i, arg);
        pc_status rc = tx ? PC_OK : ops->begin(st, &tx);
        if (rc == PC_OK)
            rc = ops->insert(st, tx, ent, rec, NULL, 0);
        json_decref(rec);
        if (rc == PC_OK && ((i + 1) % BATCH == 0 || i + 1 == n)) {
            rc = ops->commit(tx);
            tx = NULL;
        }
        if (rc != PC_OK) {
            fprintf(stderr, "record %ld: status %d\n", i, (int)rc);
            return -1;
        }
        if ((i + 1) % 100000 == 0)
            fprintf(stderr, "%ld records, %.0f/s\n", i + 1, (double)(i + 1) / (seconds() - t0));
    }
    return 0;
}

typedef struct user_arg {
    const char *tenant_id;
    const char *hash;
} user_arg;

static json_t *make_tenant(long i, void *arg)
{
    (void)arg;
    return tenant_record(i, pc_test_now());
}

static json_t *make_user(long i, void *arg)
{
    const user_arg *u = arg;

    return user_record(u->tenant_id, i, u->hash, pc_test_now());
}

int main(int argc, char **argv)
{
    json_t *tenant = NULL;
    user_arg u;
    int rc = 2;

    if (argc < 5 || open_store(argv[1], argv[2]) != 0) {
        fprintf(stderr, "usage: seed_store PLUGIN.so URI tenants N | users SLUG N HASH\n");
        return 2;
    }
    if (strcmp(argv[3], "tenants") == 0) {
        rc = insert_all(PC_ENT_TENANT, atol(argv[4]), make_tenant, NULL) == 0 ? 0 : 1;
    } else if (strcmp(argv[3], "users") == 0 && argc == 7 &&
               ops->get(st, NULL, PC_ENT_TENANT, NULL, "slug", argv[4], &tenant) == PC_OK) {
        u.tenant_id = json_string_value(json_object_get(tenant, "id"));
        u.hash = argv[6];
        rc = insert_all(PC_ENT_USER, atol(argv[5]), make_user, &u) == 0 ? 0 : 1;
        json_decref(tenant);
    }
    ops->base.fini(st);
    return rc;
}
