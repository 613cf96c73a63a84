/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/iam/permissions.c: resource:action syntax and wildcard matching (API.md §4). */
#include "test_support.h"
#include "iam/permissions.h"

typedef struct cover_case {
    const char *granted;
    const char *resource;
    const char *action;
    int expected;
} cover_case;

static const cover_case cover_cases[] = {
    {"ledger:post", "ledger", "post", 1},
    {"ledger:post", "ledger", "read", 0},
    {"ledger:post", "ledgers", "post", 0},
    {"ledger:post", "ledge", "post", 0},
    {"ledger:*", "ledger", "anything", 1},
    {"ledger:*", "other", "post", 0},
    {"*:read", "users", "read", 1},
    {"*:read", "users", "delete", 0},
    {"*:*", "users", "delete", 1},
    {"*:*", "x", "y", 1},
    {"users", "users", "read", 0}, /* not a permission: no colon */
    {"", "users", "read", 0},
    {"users:read:extra", "users", "read", 0},
};

static void test_covers_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cover_cases / sizeof *cover_cases; i++) {
        const cover_case *c = &cover_cases[i];
        if (pc_perm_covers(c->granted, c->resource, c->action) != c->expected)
            fail_msg("case %zu: %s covers %s:%s should be %d", i, c->granted, c->resource,
                     c->action, c->expected);
    }
}

typedef struct valid_case {
    const char *perm;
    int expected;
} valid_case;

static const valid_case valid_cases[] = {
    {"ledger:post", 1},
    {"a.b-c_d:e.f", 1},
    {"*:*", 1},
    {"ledger:*", 1},
    {"*:read", 1},
    {"Ledger:post", 0},
    {"ledger:", 0},
    {":post", 0},
    {"ledger", 0},
    {"a:b:c", 0},
    {"led ger:post", 0},
    {"**:post", 0},
    {"ledger:po*", 0},
    {"l\xc3\xa9"
     "dger:post",
     0},
};

static void test_valid_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid_cases / sizeof *valid_cases; i++)
        if (pc_perm_valid(valid_cases[i].perm) != valid_cases[i].expected)
            fail_msg("case %zu: valid(%s) should be %d", i, valid_cases[i].perm,
                     valid_cases[i].expected);
    assert_false(pc_perm_valid(NULL));
}

/* Effective permissions are a union: any one covering entry grants. */
static void test_set_is_a_union(void **state)
{
    json_t *set = json_pack("[s,s]", "ledger:read", "reports:*"), *empty = json_array();

    (void)state;
    assert_true(pc_perm_set_allows(set, "ledger", "read"));
    assert_true(pc_perm_set_allows(set, "reports", "export"));
    assert_false(pc_perm_set_allows(set, "ledger", "post"));
    assert_false(pc_perm_set_allows(empty, "ledger", "read"));
    json_decref(set);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_covers_table),
        cmocka_unit_test(test_valid_table),
        cmocka_unit_test(test_set_is_a_union),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
