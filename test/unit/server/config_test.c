/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/server/config.c: defaults, the file, the environment winning, clear errors. */
#include "test_support.h"
#include "server/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/pc-config-XXXXXX";

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    int fd = mkstemp(path);

    (void)state;
    close(fd);
    unsetenv("PORTCULLIS_CONFIG");
    unsetenv("PORTCULLIS_LISTEN");
    unsetenv("PORTCULLIS_ACCESS_TTL");
    unsetenv("PORTCULLIS_PUBLIC_URL");
    unsetenv("PORTCULLIS_OUTBOUND_ALLOW_PRIVATE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void test_defaults(void **state)
{
    pc_config c;
    char err[256];

    (void)state;
    assert_int_equal(pc_config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    assert_string_equal(c.store, "sqlite://./portcullis-data/portcullis.db");
    assert_int_equal(c.max_body, 65536);
    assert_int_equal(c.argon2_m_cost, 19456);
    assert_int_equal(c.limit_account, 10);
    assert_int_equal(c.limit_address, 100);
    assert_int_equal(c.limit_window, 900);
    assert_null(c.admin_password);
    assert_int_equal(c.outbound_allow_private, 0);
    pc_config_free(&c);
}

static void test_boolean_setting(void **state)
{
    pc_config c;
    char err[256];

    (void)state;
    write_file("outbound_allow_private = true;\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), 0);
    assert_int_equal(c.outbound_allow_private, 1);
    pc_config_free(&c);

    setenv("PORTCULLIS_OUTBOUND_ALLOW_PRIVATE", "false", 1);
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), 0);
    assert_int_equal(c.outbound_allow_private, 0); /* the environment wins */
    pc_config_free(&c);

    setenv("PORTCULLIS_OUTBOUND_ALLOW_PRIVATE", "yes", 1);
    assert_int_equal(pc_config_load(&c, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "\"outbound_allow_private\" must be true or false"));
    unsetenv("PORTCULLIS_OUTBOUND_ALLOW_PRIVATE");

    write_file("outbound_allow_private = 1;\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "true or false"));
}

static void test_file_then_environment(void **state)
{
    pc_config c;
    char err[256];

    (void)state;
    write_file("listen = \"127.0.0.1:9000\";\naccess_ttl = 120;\npublic_url = "
               "\"https://id.example.org/\";\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), 0);
    assert_int_equal(c.listen_port, 9000);
    assert_int_equal(c.access_ttl, 120);
    assert_string_equal(c.public_url, "https://id.example.org"); /* trailing slash dropped */
    pc_config_free(&c);

    setenv("PORTCULLIS_ACCESS_TTL", "300", 1);
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), 0);
    assert_int_equal(c.access_ttl, 300); /* the environment wins */
    pc_config_free(&c);
    unsetenv("PORTCULLIS_ACCESS_TTL");
}

static void test_errors_name_the_culprit(void **state)
{
    pc_config c;
    char err[256];

    (void)state;
    write_file("acces_ttl = 120;\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown setting \"acces_ttl\""));

    write_file("access_ttl = \"soon\";\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "access_ttl"));

    write_file("access_ttl = 5;\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "30..86400"));

    write_file("listen = ;\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, path));

    setenv("PORTCULLIS_LISTEN", "nowhere", 1);
    assert_int_equal(pc_config_load(&c, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "IPV4:PORT or [IPV6]:PORT"));
    unsetenv("PORTCULLIS_LISTEN");

    setenv("PORTCULLIS_TLS_KEY_FILE", "/etc/ssl/private/k.pem", 1);
    assert_int_equal(pc_config_load(&c, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "go together"));
    unsetenv("PORTCULLIS_TLS_KEY_FILE");
}

static void test_ipv6_and_tls_defaults(void **state)
{
    pc_config c;
    char err[256];

    (void)state;
    write_file(
        "listen = \"[::1]:8443\";\ntls_cert_file = \"/c.pem\";\ntls_key_file = \"/k.pem\";\n");
    assert_int_equal(pc_config_load(&c, path, err, sizeof err), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 8443);
    assert_string_equal(c.public_url, "https://[::1]:8443"); /* TLS: the default URL says https */
    pc_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file_then_environment),
        cmocka_unit_test(test_errors_name_the_culprit),
        cmocka_unit_test(test_boolean_setting),
        cmocka_unit_test(test_ipv6_and_tls_defaults),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
