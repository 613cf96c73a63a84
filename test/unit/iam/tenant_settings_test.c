/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/iam/tenant_settings.c: every setting of API.md §13 checked, null back to the default, the view. */
#include "test_support.h"
#include "iam/tenant_settings.h"
#include "server/server.h"

#include <string.h>

static pc_server srv;

static int setup(void **state)
{
    (void)state;
    srv.cfg.access_ttl = 900;
    srv.cfg.refresh_ttl = 2592000;
    srv.cfg.session_ttl = 86400;
    srv.cfg.code_ttl = 60;
    pc_srv = &srv;
    return 0;
}

/* Apply `patch_text` to {} and return the names `bad` got, comma-separated, in `out`. */
static json_t *apply(const char *patch_text, json_t **bad, json_t **unknown)
{
    json_t *patch = json_loads(patch_text, 0, NULL), *stored = json_object(), *out;

    assert_non_null(patch);
    *bad = json_object();
    *unknown = json_object();
    out = pc_tenant_settings_apply(stored, patch, *bad, *unknown);
    json_decref(patch);
    json_decref(stored);
    return out;
}

static void test_valid_settings_are_kept(void **state)
{
    json_t *bad, *unknown;
    json_t *out =
        apply("{\"access_ttl\":600,\"registration\":\"open\",\"max_users\":10,"
              "\"password_min_length\":12,\"mfa_required\":true,\"id_token_alg\":\"PS256\","
              "\"step_up\":{\"permissions\":[\"users:*\"],\"max_age\":300},"
              "\"messages\":{\"invitation\":{\"subject\":\"Join us\",\"text\":\"{link}\"}}}",
              &bad, &unknown);

    (void)state;
    assert_non_null(out);
    assert_int_equal(json_integer_value(json_object_get(out, "access_ttl")), 600);
    assert_string_equal(json_string_value(json_object_get(out, "registration")), "open");
    assert_true(json_is_true(json_object_get(out, "mfa_required")));
    json_decref(out);
    json_decref(bad);
    json_decref(unknown);
}

static void test_each_bad_value_is_named(void **state)
{
    json_t *bad, *unknown;
    json_t *out = apply("{\"access_ttl\":5,\"registration\":\"maybe\",\"max_users\":0,"
                        "\"password_min_length\":4,\"mfa_required\":\"yes\","
                        "\"access_token_alg\":\"HS256\",\"reset_ttl\":\"1h\","
                        "\"step_up\":{\"permissions\":[\"Bad Perm\"],\"max_age\":0,\"x\":1},"
                        "\"messages\":{\"spam\":{},\"invitation\":{\"subject\":\"a\\nb\"}}}",
                        &bad, &unknown);
    static const char *const want[] = {"settings.access_ttl",      "settings.registration",
                                       "settings.max_users",       "settings.password_min_length",
                                       "settings.mfa_required",    "settings.access_token_alg",
                                       "settings.reset_ttl",       "settings.step_up.permissions",
                                       "settings.step_up.max_age", "settings.step_up.x",
                                       "settings.messages.spam",   "settings.messages.invitation"};

    (void)state;
    assert_null(out);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_non_null(json_object_get(bad, want[i]));
    assert_int_equal(json_object_size(bad), sizeof want / sizeof *want);
    assert_int_equal(json_object_size(unknown), 0);
    json_decref(bad);
    json_decref(unknown);
}

static void test_unknown_names_and_null_resets(void **state)
{
    json_t *bad = json_object(), *unknown = json_object();
    json_t *stored =
        json_pack("{s:i,s:s,s:i}", "max_users", 5, "registration", "open", "access_token_ttl", 300);
    json_t *patch = json_pack("{s:n,s:i,s:b}", "max_users", "access_ttl", 120, "colour", 1);
    json_t *out = pc_tenant_settings_apply(stored, patch, bad, unknown);

    (void)state;
    assert_null(out);
    assert_non_null(json_object_get(unknown, "settings.colour"));
    json_object_del(patch, "colour");
    json_object_clear(unknown);
    out = pc_tenant_settings_apply(stored, patch, bad, unknown);
    assert_non_null(out);
    assert_null(json_object_get(out, "max_users"));        /* null: back to the default */
    assert_null(json_object_get(out, "access_token_ttl")); /* the old name gives way */
    assert_int_equal(json_integer_value(json_object_get(out, "access_ttl")), 120);
    assert_string_equal(json_string_value(json_object_get(out, "registration")), "open");
    json_decref(out);
    json_decref(patch);
    json_decref(stored);
    json_decref(bad);
    json_decref(unknown);
}

/* API.md §18: organization_registration and organization_owner_roles. */
static void test_organization_settings(void **state)
{
    json_t *bad, *unknown;
    json_t *out = apply("{\"organization_registration\":\"open\","
                        "\"organization_owner_roles\":[\"owner\",\"billing\"]}",
                        &bad, &unknown);

    (void)state;
    assert_non_null(out);
    assert_int_equal(json_array_size(json_object_get(out, "organization_owner_roles")), 2);
    json_decref(out);
    json_decref(bad);
    json_decref(unknown);
    out = apply("{\"organization_registration\":\"sometimes\","
                "\"organization_owner_roles\":[\"\",3]}",
                &bad, &unknown);
    assert_null(out);
    assert_non_null(json_object_get(bad, "settings.organization_registration"));
    assert_non_null(json_object_get(bad, "settings.organization_owner_roles"));
    json_decref(bad);
    json_decref(unknown);
    out = pc_tenant_settings_view(NULL);
    assert_string_equal(json_string_value(json_object_get(out, "organization_registration")),
                        "closed");
    assert_int_equal(json_array_size(json_object_get(out, "organization_owner_roles")), 0);
    json_decref(out);
}

static void test_view_fills_defaults(void **state)
{
    json_t *stored = json_pack("{s:i}", "refresh_token_ttl", 777);
    json_t *v = pc_tenant_settings_view(stored);

    (void)state;
    assert_int_equal(json_integer_value(json_object_get(v, "access_ttl")), 900);
    assert_int_equal(json_integer_value(json_object_get(v, "refresh_ttl")), 777);
    assert_int_equal(json_integer_value(json_object_get(v, "reset_ttl")), 3600);
    assert_int_equal(json_integer_value(json_object_get(v, "invitation_ttl")), 259200);
    assert_int_equal(json_integer_value(json_object_get(v, "password_min_length")), 8);
    assert_true(json_is_null(json_object_get(v, "max_users")));
    assert_string_equal(json_string_value(json_object_get(v, "registration")), "closed");
    assert_string_equal(json_string_value(json_object_get(v, "access_token_alg")), "ES256");
    assert_string_equal(json_string_value(json_object_get(v, "id_token_alg")), "RS256");
    assert_true(json_is_false(json_object_get(v, "mfa_required")));
    json_decref(v);
    json_decref(stored);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_settings_are_kept),
        cmocka_unit_test(test_each_bad_value_is_named),
        cmocka_unit_test(test_unknown_names_and_null_resets),
        cmocka_unit_test(test_view_fills_defaults),
        cmocka_unit_test(test_organization_settings),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
