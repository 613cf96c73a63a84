/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/iam/tenant_cache.c: found by slug and id, bounded in bytes (least recently used
 * out first), expired entries swept, references kept while a caller holds one. */
#include "test_support.h"
#include "iam/tenant_cache.h"
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pc_server srv;

static pc_tenant *tenant(int i, int64_t loaded_at)
{
    pc_tenant *t = calloc(1, sizeof *t);
    char slug[32];

    snprintf(t->id, sizeof t->id, "id-%d", i);
    snprintf(slug, sizeof slug, "slug-%d", i);
    t->slug = strdup(slug);
    t->loaded_at = loaded_at;
    t->refs = 1;
    return t;
}

static int setup(void **state)
{
    (void)state;
    pc_srv = &srv;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pc_tenant_cache_clear();
    return 0;
}

static void test_found_by_slug_and_id(void **state)
{
    pc_tenant *t = tenant(1, 100), *got;

    (void)state;
    pc_tenant_cache_put(t, 1000, 100000);
    got = pc_tenant_cache_find("slug", "slug-1", 50);
    assert_ptr_equal(got, t);
    pc_tenant_release(got);
    got = pc_tenant_cache_find("id", "id-1", 50);
    assert_ptr_equal(got, t);
    pc_tenant_release(got);
    assert_null(pc_tenant_cache_find("slug", "slug-2", 50));
    pc_tenant_release(t);
}

static void test_budget_evicts_least_recently_used(void **state)
{
    size_t entries, bytes;
    pc_tenant *got;

    (void)state;
    /* Budget 10,000 bytes, 2,000 each: five fit; the sixth pushes out the least recently used. */
    for (int i = 0; i < 5; i++) {
        pc_tenant *t = tenant(i, 100);
        pc_tenant_cache_put(t, 2000, 10000);
        pc_tenant_release(t);
    }
    got = pc_tenant_cache_find("slug", "slug-0", 50); /* slug-0 is now the most recent */
    pc_tenant_release(got);
    {
        pc_tenant *t = tenant(5, 100);
        pc_tenant_cache_put(t, 2000, 10000);
        pc_tenant_release(t);
    }
    pc_tenant_cache_stats(&entries, &bytes);
    assert_int_equal(entries, 5);
    assert_true(bytes <= 10000);
    assert_null(pc_tenant_cache_find("slug", "slug-1", 50));
    got = pc_tenant_cache_find("slug", "slug-0", 50);
    assert_non_null(got);
    pc_tenant_release(got);
}

static void test_expired_are_swept_and_not_found(void **state)
{
    size_t entries, bytes;
    pc_tenant *old = tenant(7, 100), *young = tenant(8, 200);

    (void)state;
    pc_tenant_cache_put(old, 1000, 100000);
    pc_tenant_cache_put(young, 1000, 100000);
    assert_null(pc_tenant_cache_find("id", "id-7", 150)); /* loaded before 150: stale */
    pc_tenant_cache_sweep(250);
    pc_tenant_cache_stats(&entries, &bytes);
    assert_int_equal(entries, 0);
    assert_int_equal(bytes, 0);
    /* The caller's references outlive the cache's. */
    assert_string_equal(old->slug, "slug-7");
    pc_tenant_release(old);
    pc_tenant_release(young);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_found_by_slug_and_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_evicts_least_recently_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_are_swept_and_not_found, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
