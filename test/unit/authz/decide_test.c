/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/authz/decide.c and policy_set.c: deny-overrides, principals, the action index. */
#include "test_support.h"
#include "authz/authz.h"
#include "authz/policy_set.h"

#include <string.h>

static pc_pdp_set *set_of(const char *policies_json)
{
    json_t *rows = json_loads(policies_json, 0, NULL), *row;
    pc_pdp_set *s = pc_pdp_set_new();
    size_t i;

    if (rows == NULL)
        fail_msg("fixture does not parse");
    json_array_foreach (rows, i, row)
        pc_pdp_set_add(s, row);
    json_decref(rows);
    return s;
}

static json_t *facts(const char *id, const char *role, const char *group)
{
    return json_pack("{s:s,s:s,s:[s],s:[s],s:{s:[s]}}", "id", id, "kind", "user", "roles", role,
                     "groups", group, "attributes", "blocked_accounts", "acc-9");
}

static int decide(const pc_pdp_set *s, const json_t *f, const char *resource, const char *action,
                  const char *resource_id, const json_t *props, int role_grants)
{
    pc_pdp_query q = {.facts = f,
                      .subject_type = "user",
                      .subject_id = json_string_value(json_object_get(f, "id")),
                      .resource = resource,
                      .action = action,
                      .resource_id = resource_id,
                      .resource_props = props};

    return pc_pdp_combine(s, &q, 1780315200, role_grants);
}

static const char *todo_policies =
    "[{\"id\":\"p1\",\"effect\":\"allow\",\"actions\":[\"todo:update\",\"todo:delete\"],"
    "\"principals\":{\"roles\":[\"editor\"]},"
    "\"condition\":{\"eq\":[\"resource.properties.ownerID\",\"subject.id\"]}},"
    "{\"id\":\"p2\",\"effect\":\"deny\",\"actions\":[\"account:*\"],\"principals\":{},"
    "\"condition\":{\"in\":[\"resource.id\",\"subject.properties.blocked_accounts\"]}},"
    "{\"id\":\"p3\",\"effect\":\"deny\",\"actions\":[\"*:*\"],"
    "\"principals\":{\"users\":[\"banned\"]}},"
    "{\"id\":\"p4\",\"effect\":\"allow\",\"actions\":[\"report:read\"],"
    "\"principals\":{\"groups\":[\"auditors\"]}}]";

static void test_deny_overrides(void **state)
{
    pc_pdp_set *s = set_of(todo_policies);
    json_t *morty = facts("morty", "editor", "staff"), *banned = facts("banned", "admin", "x");
    json_t *own = json_pack("{s:s}", "ownerID", "morty"),
           *other = json_pack("{s:s}", "ownerID", "rick");

    (void)state;
    /* an allow policy applies: the owner may update without a role granting it */
    assert_true(decide(s, morty, "todo", "update", "1", own, 0));
    assert_false(decide(s, morty, "todo", "update", "2", other, 0));
    assert_true(decide(s, morty, "todo", "update", "2", other, 1)); /* a role grants it */
    assert_false(decide(s, morty, "todo", "read", "1", own, 0));    /* not indexed there */
    /* a deny wins over a role */
    assert_false(decide(s, morty, "account", "read", "acc-9", NULL, 1));
    assert_true(decide(s, morty, "account", "read", "acc-1", NULL, 1));
    assert_false(decide(s, banned, "todo", "update", "1", own, 1)); /* *:* deny by user id */
    assert_false(decide(s, banned, "anything", "at-all", NULL, NULL, 1));
    /* principals: the policy names another role, so it does not apply */
    json_t *viewer = facts("morty", "viewer", "staff");
    assert_false(decide(s, viewer, "todo", "update", "1", own, 0));
    json_t *auditor = facts("ann", "viewer", "auditors");
    assert_true(decide(s, auditor, "report", "read", NULL, NULL, 0));
    assert_false(decide(s, viewer, "report", "read", NULL, NULL, 0));
    json_decref(viewer);
    json_decref(auditor);
    json_decref(own);
    json_decref(other);
    json_decref(morty);
    json_decref(banned);
    pc_pdp_set_release(s);
}

/* Request properties are merged over the principal's: a PEP may supply what is not stored. */
static void test_request_properties(void **state)
{
    pc_pdp_set *s = set_of(todo_policies);
    json_t *f = facts("u1", "viewer", "g");
    json_t *given = json_pack("{s:[s]}", "blocked_accounts", "acc-1");
    pc_pdp_query q = {.facts = f,
                      .subject_id = "u1",
                      .subject_type = "user",
                      .subject_props = given,
                      .resource = "account",
                      .action = "read",
                      .resource_id = "acc-1"};

    (void)state;
    assert_false(pc_pdp_combine(s, &q, 0, 1));
    q.resource_id = "acc-9"; /* the stored attribute was replaced by the request's */
    assert_true(pc_pdp_combine(s, &q, 0, 1));
    json_decref(given);
    json_decref(f);
    pc_pdp_set_release(s);
}

/* A deny whose condition no longer compiles (a stored record from elsewhere) fails closed. */
static void test_broken_deny_fails_closed(void **state)
{
    pc_pdp_set *s = set_of("[{\"id\":\"x\",\"effect\":\"deny\",\"actions\":[\"a:b\"],"
                           "\"principals\":{},\"condition\":{\"nope\":[]}},"
                           "{\"id\":\"y\",\"effect\":\"allow\",\"actions\":[\"c:d\"],"
                           "\"principals\":{},\"condition\":{\"nope\":[]}}]");
    json_t *f = facts("u", "r", "g");

    (void)state;
    assert_false(decide(s, f, "a", "b", NULL, NULL, 1));
    assert_false(decide(s, f, "c", "d", NULL, NULL, 0));
    json_decref(f);
    pc_pdp_set_release(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_deny_overrides),
                                       cmocka_unit_test(test_request_properties),
                                       cmocka_unit_test(test_broken_deny_fails_closed)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
