/* SPDX-License-Identifier: Apache-2.0 */
/* Tests core/util/log.c: one line per event (multi-line messages folded), text and JSON forms, request ids. */
#include "test_support.h"
#include "util/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static char path[] = "/tmp/pc-log-test-XXXXXX";
static int saved_stdout = -1;

/* From now on standard output goes to an empty file. */
static void capture(void)
{
    int fd = open(path, O_WRONLY | O_TRUNC);

    fflush(stdout);
    saved_stdout = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    close(fd);
}

/* Standard output back; what was written meanwhile, as one string. */
static char *captured(void)
{
    FILE *f;
    char *buf;
    long end;

    fflush(stdout);
    dup2(saved_stdout, STDOUT_FILENO);
    close(saved_stdout);
    f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    end = ftell(f);
    buf = calloc(1, (size_t)end + 1);
    fseek(f, 0, SEEK_SET);
    assert_int_equal(fread(buf, 1, (size_t)end, f), (size_t)end);
    fclose(f);
    return buf;
}

static int lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void multi_line_errors_are_folded(void **state)
{
    char *out;

    (void)state;
    pc_log_format("text");
    capture();
    pc_error(
        "store error: ERROR:  relation \"x\" does not exist\nLINE 1: SELECT\r\n  ^\nHINT: none\n");
    out = captured();
    assert_int_equal(lines(out), 1);
    assert_non_null(strstr(out,
                           " error store error: ERROR:  relation \"x\" does not exist | LINE 1: "
                           "SELECT | ^ | HINT: none\n"));
    free(out);
}

static void json_lines_carry_the_request_id_and_fields(void **state)
{
    json_t *f = json_pack("{s:s,s:i}", "route", "token", "status", 401), *line;
    char *out;

    (void)state;
    pc_log_format("json");
    capture();
    pc_log_request_id_set("req-1");
    pc_log_event(PC_LOG_INFO, "access", f);
    pc_warn("two\nlines");
    pc_log_request_id_set(NULL);
    pc_info("after");
    out = captured();
    assert_int_equal(lines(out), 3);
    line = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
    assert_non_null(line);
    assert_string_equal(json_string_value(json_object_get(line, "msg")), "access");
    assert_string_equal(json_string_value(json_object_get(line, "request_id")), "req-1");
    assert_string_equal(json_string_value(json_object_get(line, "level")), "info");
    assert_int_equal(json_integer_value(json_object_get(line, "status")), 401);
    assert_non_null(strstr(out, "\"msg\":\"two | lines\",\"request_id\":\"req-1\"}"));
    assert_null(strstr(strstr(out, "after"), "request_id"));
    json_decref(line);
    json_decref(f);
    free(out);
}

static void text_events_quote_values_with_spaces(void **state)
{
    json_t *f = json_pack("{s:s,s:s}", "route", "token", "why", "a b");
    char *out;

    (void)state;
    pc_log_format("text");
    capture();
    pc_log_event(PC_LOG_INFO, "access", f);
    out = captured();
    assert_non_null(strstr(out, " info access route=token why=\"a b\"\n"));
    assert_int_equal(pc_log_format("xml"), -1);
    json_decref(f);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(multi_line_errors_are_folded),
        cmocka_unit_test(json_lines_carry_the_request_id_and_fields),
        cmocka_unit_test(text_events_quote_values_with_spaces),
    };
    int fd = mkstemp(path), rc;

    if (fd < 0)
        return 1;
    close(fd);
    pc_log_init("info");
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    return rc;
}
