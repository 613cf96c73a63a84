/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the email and SMS schemes (schemes/email, schemes/sms over schemes/code): the
 * address or phone number given at enrolment, the code typed back, and the tenant's message
 * template, through the plugin operations with the server's real host table. Built once per
 * scheme. Input lines: destination, code ('@' stands for the code sent, followed by the rest
 * of the line), the tenant's "text" setting, the tenant's name.
 */
#include "fuzz_support.h"
#include "server/host.h"
#include <portcullis/portcullis.h>

const pc_plugin *portcullis_plugin(void);

static const pc_scheme_ops *ops;
static void *state;
static const char *dest_field;

typedef struct sent {
    char to[512];
    char code[32];
    int count;
} sent;

static pc_status deliver(void *ctx, const pc_message *m)
{
    sent *s = ctx;

    snprintf(s->to, sizeof s->to, "%s", m->to);
    /* Never a message without its code. */
    FUZZ_ASSERT(m->text != NULL && json_is_string(json_object_get(m->vars, "code")));
    snprintf(s->code, sizeof s->code, "%s", json_string_value(json_object_get(m->vars, "code")));
    s->count++;
    return PC_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ops = (const pc_scheme_ops *)portcullis_plugin();
    FUZZ_ASSERT(ops->base.init(pc_host_table(), NULL, &state) == PC_OK);
    dest_field = strcmp(ops->method, "sms") == 0 ? "phone_number" : "email";
    return 0;
}

/* The destinations each scheme may send to, written independently of the schemes. */
static int dest_ok(const char *d)
{
    size_t n = strlen(d);
    const char *at = strchr(d, '@');

    if (strcmp(ops->method, "sms") == 0)
        return n >= 8 && n <= 16 && d[0] == '+' && d[1] >= '1' && d[1] <= '9' &&
               strspn(d + 1, "0123456789") == n - 1;
    return n >= 3 && n <= 254 && at != NULL && at != d && at[1] != '\0' &&
           strchr(at + 1, '@') == NULL && strpbrk(d, " \t\r\n<>,;\"") == NULL;
}

static void check_verify(const pc_scheme_call *call, pc_factor *f, const sent *s, const char *typed,
                         const char *dest)
{
    char *code = (char *)typed;
    pc_status rc;

    if (typed[0] == '@') {
        code = malloc(strlen(typed) + sizeof s->code);
        sprintf(code, "%s%s", s->code, typed + 1);
    }
    rc = ops->verify(state, call, f, code);
    FUZZ_ASSERT(rc == PC_OK || rc == PC_ERR_DENIED);
    if (rc == PC_OK) {
        /* The code sent, and only it; once; and only then does the destination count. */
        FUZZ_ASSERT(strcmp(code, s->code) == 0);
        FUZZ_ASSERT(strcmp(json_string_value(json_object_get(f->data, "to")), dest) == 0);
        FUZZ_ASSERT(ops->verify(state, call, f, code) == PC_ERR_DENIED);
    } else {
        FUZZ_ASSERT(json_object_get(f->data, "to") == NULL);
    }
    if (code != typed)
        free(code);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines in;
    sent s = {.count = 0};
    pc_scheme_call call = {.struct_size = sizeof call, .ctx = &s, .deliver_message = deliver};
    pc_factor f = {.user_id = "u-1", .account = "fuzz", .issuer = FUZZ_ISSUER};
    json_t *input = json_object(), *reply = NULL, *settings = json_object();
    const char *dest;
    pc_status rc;

    fuzz_lines_split(&in, data, size);
    dest = fuzz_line(&in, 0, "");
    json_object_set_new(input, dest_field, json_string(dest)); /* dropped if not UTF-8 */
    if (in.n > 2)
        json_object_set_new(settings, "text", json_string(in.line[2]));
    call.settings = settings;
    call.tenant_name = fuzz_line(&in, 3, "Fuzz");
    f.data = json_object();
    rc = ops->enrol(state, &call, &f, input, &reply);
    if (rc == PC_OK) {
        FUZZ_ASSERT(dest_ok(dest) && s.count == 1 && strcmp(s.to, dest) == 0);
        FUZZ_ASSERT(strlen(s.code) >= 6 && strspn(s.code, "0123456789") == strlen(s.code));
        check_verify(&call, &f, &s, fuzz_line(&in, 1, "@"), dest);
    } else if (rc == PC_ERR_INTERNAL) {
        /* Only a tenant name that is no UTF-8 keeps a code from going out, and nothing is sent. */
        json_t *name = json_string(call.tenant_name);
        FUZZ_ASSERT(name == NULL && s.count == 0 && dest_ok(dest));
    } else {
        FUZZ_ASSERT(rc == PC_ERR_INVALID && s.count == 0);
        FUZZ_ASSERT(!dest_ok(dest) || json_object_get(input, dest_field) == NULL);
        FUZZ_ASSERT(json_is_string(json_object_get(reply, dest_field)));
    }
    json_decref(reply);
    json_decref(input);
    json_decref(settings);
    json_decref(f.data);
    free(f.secret);
    fuzz_lines_free(&in);
    return 0;
}
