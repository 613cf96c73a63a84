/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite store's WAL under load: bounded while written and read, folded away on close. */
#include "contract_support.h"

#include <sys/stat.h>

/* The checkpointer rewinds the WAL past 64 MB (sqlite_checkpoint.c), late by what the writer
 * appends meanwhile (measured 7-50 MB); three times that is a WAL that is never rewound. */
#define RESTART_BYTES (64L * 1024 * 1024)
#define WAL_LIMIT (3 * RESTART_BYTES)
/* Measured: an insert here appends ~5.6 pages (about 23 KB) to the WAL, so 16000 write ~370 MB,
 * almost twice the limit. */
#define INSERTS 16000
#define SAMPLE_EVERY 50
#define READERS 2

/* The load's last refresh token and its tenant, for the reopened store to find. */
static char last_id[ID_LEN], last_tid[ID_LEN];

/* The size of the store's -wal file; 0 if there is none. */
static long wal_size(void)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof path, "%s-wal", store_uri + strlen("sqlite://"));
    return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

static void load_id(char *buf, unsigned i)
{
    snprintf(buf, ID_LEN, "wal-%s-%06u", run_id, i);
}

/* A refresh grant record shaped like contract_support.c's make_refresh; the caller releases it. */
static json_t *refresh_rec(const char *id, const char *t, const char *uid)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[ss],s:I,s:i,s:s,s:I,s:I,s:n,s:n}", "id", id,
                     "tenant_id", t, "client_id", "cli", "user_id", uid, "sid", id, "scope",
                     "openid offline_access", "amr", "pwd", "otp", "auth_time", (json_int_t)now,
                     "generation", 0, "secret_hash", id, "created_at", (json_int_t)now,
                     "expires_at", (json_int_t)(now + 3600), "rotated_at", "revoked_at");
}

static pc_status insert_refresh(const char *id, const char *uid)
{
    json_t *rec = refresh_rec(id, tid, uid);
    pc_status rc = rec ? ops->insert(st, NULL, PC_ENT_REFRESH, rec, NULL, 0) : PC_ERR_INTERNAL;

    json_decref(rec);
    return rc;
}

typedef struct load {
    unsigned inserted; /* ids below this exist; atomic */
    int done;          /* atomic */
    unsigned reads;    /* atomic */
    unsigned misses;   /* atomic: gets that failed or returned another record */
} load;

static void read_one(load *l, unsigned *seed)
{
    unsigned n = __atomic_load_n(&l->inserted, __ATOMIC_ACQUIRE);
    char id[ID_LEN];
    json_t *out = NULL;
    const char *got;

    if (n == 0)
        return;
    load_id(id, (unsigned)rand_r(seed) % n);
    if (ops->get(st, NULL, PC_ENT_REFRESH, tid, "id", id, &out) != PC_OK)
        out = NULL;
    got = json_string_value(json_object_get(out, "id"));
    if (got == NULL || strcmp(got, id) != 0)
        __atomic_add_fetch(&l->misses, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&l->reads, 1, __ATOMIC_RELAXED);
    json_decref(out);
}

static void *reader(void *arg)
{
    load *l = arg;
    unsigned seed = (unsigned)(uintptr_t)&seed;

    while (!__atomic_load_n(&l->done, __ATOMIC_ACQUIRE))
        read_one(l, &seed);
    return NULL;
}

/* Inserts INSERTS refresh tokens; returns how many failed and the largest WAL seen in *max_wal. */
static unsigned write_load(load *l, const char *uid, long *max_wal)
{
    unsigned failed = 0;
    char id[ID_LEN];

    for (unsigned i = 0; i < INSERTS; i++) {
        load_id(id, i);
        failed += insert_refresh(id, uid) != PC_OK;
        __atomic_store_n(&l->inserted, i + 1, __ATOMIC_RELEASE);
        if (i % SAMPLE_EVERY == 0 || i + 1 == INSERTS) {
            long size = wal_size();
            *max_wal = size > *max_wal ? size : *max_wal;
        }
    }
    snprintf(last_id, sizeof last_id, "%s", id);
    snprintf(last_tid, sizeof last_tid, "%s", tid);
    return failed;
}

static void wal_stays_bounded_under_writes_and_reads(void **state)
{
    load l = {0};
    pthread_t readers[READERS];
    char uid[ID_LEN];
    long max_wal = 0;
    unsigned failed;

    make_user(uid, tid, "walter", NULL);
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, reader, &l), 0);
    failed = write_load(&l, uid, &max_wal);
    __atomic_store_n(&l.done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);
    fprintf(stderr, "%u inserts (%u failed), %u reads (%u missed): max WAL %ld bytes (limit %ld)\n",
            INSERTS, failed, l.reads, l.misses, max_wal, WAL_LIMIT);
    assert_int_equal(failed, 0);
    assert_true(l.reads > 0);
    assert_int_equal(l.misses, 0);
    assert_true(max_wal > 0);
    assert_true(max_wal < WAL_LIMIT);
}

static void closing_folds_the_wal_into_the_database(void **state)
{
    char uid[ID_LEN], id[ID_LEN];

    make_user(uid, tid, "wanda", NULL);
    OK(insert_refresh(new_id(id, "rt"), uid));
    assert_true(wal_size() > 0);
    store_close();
    fprintf(stderr, "WAL after close: %ld bytes\n", wal_size());
    assert_int_equal(wal_size(), 0);
    OK(store_open());
    GET(PC_ENT_REFRESH, tid, id);
    if (last_id[0] != '\0')
        GET(PC_ENT_REFRESH, last_tid, last_id);
}

static int fresh_tenant(void **state)
{
    make_tenant(tid);
    return 0;
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, fresh_tenant, release)

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        CASE(wal_stays_bounded_under_writes_and_reads),
        CASE(closing_folds_the_wal_into_the_database),
    };
    int failed;

    if (argc != 3 || strncmp(argv[2], "sqlite://", strlen("sqlite://")) != 0) {
        fprintf(stderr, "usage: %s PLUGIN_SO sqlite://PATH\n", argv[0]);
        return 2;
    }
    plugin_path = argv[1];
    store_uri = argv[2];
    failed = cmocka_run_group_tests_name(store_uri, tests, group_setup, group_teardown);
    /* The load leaves a few hundred MB behind. */
    remove_sqlite_files(store_uri);
    return failed;
}
