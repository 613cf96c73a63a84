/* SPDX-License-Identifier: Apache-2.0 */
/* The byte-bounded cache: it stays within its bound, forgets what expired unasked, and counts honestly. */
#include "test_support.h"
#include "util/bcache.h"

#include <malloc.h>
#include <stdio.h>

#define NOW 1700000000

/* Claims shaped like an access token's. */
static json_t *claims(int i, int64_t exp)
{
    char sub[64], jti[64];

    snprintf(sub, sizeof sub, "0190f3a4-7c1e-7b2a-9e11-%012d", i);
    snprintf(jti, sizeof jti, "0190f3a4-7c1e-7b2a-9e11-%012d-jti", i);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:[s],s:I}", "iss",
                     "https://id.example.com/t/default", "sub", sub, "aud",
                     "https://id.example.com/t/default", "client_id", "admin-cli", "scope",
                     "openid profile email", "exp", (json_int_t)exp, "iat", (json_int_t)NOW, "jti",
                     jti, "sid", sub, "amr", "pwd", "auth_time", (json_int_t)NOW);
}

static void put_claims(pc_bcache *c, int i, int64_t exp)
{
    char key[64];
    json_t *v = claims(i, exp);

    snprintf(key, sizeof key, "tenant/%08d", i);
    pc_bcache_put(c, key, v, exp, NOW);
    json_decref(v);
}

static int held(pc_bcache *c, int i)
{
    char key[64];
    json_t *v;

    snprintf(key, sizeof key, "tenant/%08d", i);
    v = pc_bcache_get(c, key, NOW);
    json_decref(v);
    return v != NULL;
}

static void stats(pc_bcache *c, size_t *n, size_t *bytes)
{
    size_t max;

    pc_bcache_stats(c, n, bytes, &max);
}

/* Ten times more than fits: the bytes never pass the bound, the newest stay, the oldest went. */
static void fills_past_the_bound_and_stays_under_it(void **state)
{
    const size_t bound = 256 * 1024;
    pc_bcache *c = pc_bcache_new("test", bound);
    size_t n = 0, bytes = 0, per = 0;

    (void)state;
    for (int i = 0; i < 4000; i++) {
        put_claims(c, i, NOW + 900);
        stats(c, &n, &bytes);
        assert_true(bytes <= bound);
        if (i == 0)
            per = bytes;
    }
    assert_true(n > 50);
    assert_true(n < 4000);
    assert_true((size_t)4000 * per > 10 * bound / 2);
    assert_true(held(c, 3999));
    assert_false(held(c, 0));
    pc_bcache_free(c);
}

/* What the cache counts is what the heap gives it. */
static void counted_bytes_cover_the_heap(void **state)
{
    pc_bcache *c = pc_bcache_new("heap", 64u << 20);
    struct mallinfo2 before, after;
    size_t n, bytes;

    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer's allocator does not report through mallinfo2(). */
    pc_bcache_free(c);
    skip();
#endif
    malloc_trim(0);
    before = mallinfo2();
    for (int i = 0; i < 20000; i++)
        put_claims(c, i, NOW + 900);
    after = mallinfo2();
    stats(c, &n, &bytes);
    assert_int_equal(n, 20000);
    print_message("counted %zu bytes, heap grew %zu\n", bytes, after.uordblks - before.uordblks);
    /* within 2 % (the test's own allocations are in the heap too) */
    assert_true(after.uordblks - before.uordblks <= bytes + bytes / 50);
    assert_true(bytes <= after.uordblks - before.uordblks + bytes / 50);
    pc_bcache_free(c);
}

/* Expired entries leave on a sweep, without anyone asking for them. */
static void expired_entries_go_unasked(void **state)
{
    pc_bcache *c = pc_bcache_new("expiry", 16u << 20);
    size_t n, bytes, empty;

    (void)state;
    stats(c, &n, &empty);
    for (int i = 0; i < 100; i++)
        put_claims(c, i, i < 60 ? NOW + 10 : NOW + 900);
    stats(c, &n, &bytes);
    assert_int_equal(n, 100);
    pc_bcache_sweep_all(NOW + 10);
    stats(c, &n, &bytes);
    assert_int_equal(n, 40);
    assert_true(held(c, 99));
    pc_bcache_sweep(c, NOW + 900);
    stats(c, &n, &bytes);
    assert_int_equal(n, 0);
    pc_bcache_clear(c);
    stats(c, &n, &bytes);
    assert_int_equal(bytes, empty);
    pc_bcache_free(c);
}

static void removes_by_key_and_prefix(void **state)
{
    pc_bcache *c = pc_bcache_new("remove", 1u << 20);
    json_t *v = json_string("x");
    size_t n, bytes;

    (void)state;
    pc_bcache_put(c, "t1/a", v, NOW + 60, NOW);
    pc_bcache_put(c, "t1/b", v, NOW + 60, NOW);
    pc_bcache_put(c, "t2/a", v, NOW + 60, NOW);
    pc_bcache_put(c, "t2/a", v, NOW + 60, NOW); /* replaces */
    pc_bcache_put(c, "t3/gone", v, NOW, NOW);   /* expired already: not kept */
    stats(c, &n, &bytes);
    assert_int_equal(n, 3);
    pc_bcache_remove(c, "t1/", 1);
    pc_bcache_remove(c, "t2/a", 0);
    stats(c, &n, &bytes);
    assert_int_equal(n, 0);
    json_decref(v);
    pc_bcache_free(c);
    /* a cache that was never made answers nothing and keeps nothing */
    assert_null(pc_bcache_get(NULL, "k", NOW));
    pc_bcache_put(NULL, "k", NULL, NOW + 1, NOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fills_past_the_bound_and_stays_under_it),
        cmocka_unit_test(counted_bytes_cover_the_heap),
        cmocka_unit_test(expired_entries_go_unasked),
        cmocka_unit_test(removes_by_key_and_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
