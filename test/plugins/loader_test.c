/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin loader refuses, with a reason, every plugin it must not load. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/plugins.h"
#include "util/log.h"

static const char *dir;

static char *path_of(const char *name)
{
    static char buf[1024];

    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static void test_good_plugin_loads(void **state)
{
    pc_registry reg = {0};

    (void)state;
    assert_int_equal(pc_registry_load(&reg, path_of("grant_good.so")), PC_OK);
    assert_non_null(pc_registry_find(&reg, PC_KIND_GRANT, "good"));
    pc_registry_free(&reg);
}

static void test_other_abi_major_refused(void **state)
{
    pc_registry reg = {0};

    (void)state;
    assert_int_equal(pc_registry_load(&reg, path_of("grant_bad_abi.so")), PC_ERR_INVALID);
    assert_int_equal(reg.n, 0);
}

static void test_missing_entry_refused(void **state)
{
    pc_registry reg = {0};

    (void)state;
    assert_int_equal(pc_registry_load(&reg, path_of("grant_no_entry.so")), PC_ERR_INVALID);
    assert_int_equal(reg.n, 0);
}

static void test_small_ops_table_refused(void **state)
{
    pc_registry reg = {0};

    (void)state;
    assert_int_equal(pc_registry_load(&reg, path_of("storage_small_ops.so")), PC_ERR_INVALID);
    assert_int_equal(reg.n, 0);
}

static void test_duplicate_name_refused(void **state)
{
    pc_registry reg = {0};

    (void)state;
    assert_int_equal(pc_registry_load(&reg, path_of("grant_good.so")), PC_OK);
    assert_int_equal(pc_registry_load(&reg, path_of("grant_good_again.so")), PC_ERR_INVALID);
    assert_int_equal(reg.n, 1);
    pc_registry_free(&reg);
}

static void test_writable_file_refused(void **state)
{
    pc_registry reg = {0};
    char copy[] = "/tmp/pc-loader-XXXXXX";
    char cmd[2048];
    int fd = mkstemp(copy);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path_of("grant_good.so"), copy);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(chmod(copy, 0666), 0);
    assert_int_equal(pc_registry_load(&reg, copy), PC_ERR_INVALID);
    assert_int_equal(chmod(copy, 0644), 0);
    assert_int_equal(pc_registry_load(&reg, copy), PC_OK); /* the same file, fixed, loads */
    pc_registry_free(&reg);
    unlink(copy);
}

static void test_idp_plugin_loads_and_is_found_by_kind(void **state)
{
    pc_registry reg = {0};

    (void)state;
    assert_int_equal(pc_registry_load(&reg, path_of("idp_good.so")), PC_OK);
    assert_non_null(pc_registry_find_idp(&reg, "goodidp"));
    assert_null(pc_registry_find_idp(&reg, "oidc"));
    pc_registry_free(&reg);
}

static void test_idp_missing_promised_op_refused(void **state)
{
    pc_registry reg = {0};

    (void)state;
    assert_int_equal(pc_registry_load(&reg, path_of("idp_no_finish.so")), PC_ERR_INVALID);
    assert_int_equal(reg.n, 0);
}

static void test_scan_counts_refusals(void **state)
{
    pc_registry reg = {0};

    (void)state;
    /* good + good_again (duplicate) + bad_abi + no_entry + small_ops + idp no_finish:
       5 refused; good and idp good loaded. */
    assert_int_equal(pc_registry_scan(&reg, dir), 5);
    assert_int_equal(reg.n, 2);
    pc_registry_free(&reg);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plugin_loads),
        cmocka_unit_test(test_other_abi_major_refused),
        cmocka_unit_test(test_missing_entry_refused),
        cmocka_unit_test(test_small_ops_table_refused),
        cmocka_unit_test(test_duplicate_name_refused),
        cmocka_unit_test(test_writable_file_refused),
        cmocka_unit_test(test_idp_plugin_loads_and_is_found_by_kind),
        cmocka_unit_test(test_idp_missing_promised_op_refused),
        cmocka_unit_test(test_scan_counts_refusals),
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s TEST_PLUGIN_DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    pc_log_init("error");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
