/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes recovery-code normalisation and verification (schemes/recovery) through the plugin
 * operations with the server's real host table (argon2id at its smallest cost, for speed),
 * on codes enrolled at start. Input: the code typed; "@<n>" (a digit) stands for a shown code, so the
 * rest of the input is what the person added around a real code.
 */
#include "fuzz_support.h"
#include "server/host.h"
#include <portcullis/portcullis.h>
#include "util/password.h"

#include <ctype.h>

#define COUNT 5

const pc_plugin *portcullis_plugin(void);

static const pc_scheme_ops *ops;
static void *state;
static pc_factor factor;
static char shown[COUNT][15];
static int audits;

static void on_audit(void *ctx, const char *type, const json_t *details)
{
    (void)ctx;
    (void)details;
    FUZZ_ASSERT(strcmp(type, "recovery.locked") == 0);
    audits++;
}

static pc_scheme_call call = {.struct_size = sizeof(pc_scheme_call), .audit = on_audit};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *reply = NULL;

    (void)argc;
    (void)argv;
    pc_password_configure(1, 8, 1);
    call.settings = json_pack("{s:i}", "count", COUNT);
    ops = (const pc_scheme_ops *)portcullis_plugin();
    FUZZ_ASSERT(ops->base.init(pc_host_table(), NULL, &state) == PC_OK);
    factor.data = json_object();
    FUZZ_ASSERT(ops->enrol(state, &call, &factor, NULL, &reply) == PC_OK);
    for (int i = 0; i < COUNT; i++)
        snprintf(shown[i], sizeof shown[i], "%s",
                 json_string_value(json_array_get(json_object_get(reply, "codes"), (size_t)i)));
    json_decref(reply);
    return 0;
}

/* What a person may type for a code: any case, with dashes and spaces, o for 0, i or l for 1. */
static void normal_form(const char *in, char *out, size_t len)
{
    size_t n = 0;

    for (; *in && n + 1 < len; in++) {
        char c = (char)tolower((unsigned char)*in);
        if (c == '-' || c == ' ')
            continue;
        out[n++] = c == 'o' ? '0' : (c == 'i' || c == 'l') ? '1' : c;
    }
    out[n] = '\0';
}

static void check_accepted(pc_factor *f, const char *code)
{
    char typed[64], want[64];
    int match = -1;

    normal_form(code, typed, sizeof typed);
    for (int i = 0; i < COUNT; i++) {
        normal_form(shown[i], want, sizeof want);
        if (strcmp(typed, want) == 0)
            match = i;
    }
    FUZZ_ASSERT(match >= 0);
    FUZZ_ASSERT(json_is_null(json_array_get(json_object_get(f->data, "codes"), (size_t)match)));
    FUZZ_ASSERT(json_integer_value(json_object_get(f->data, "remaining")) == COUNT - 1);
    /* Single use. */
    FUZZ_ASSERT(ops->verify(state, &call, f, code) == PC_ERR_DENIED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), *code = in;
    pc_factor f = factor;
    pc_status rc;

    if (in[0] == '@' && in[1] != '\0') {
        code = malloc(size + sizeof shown[0]);
        sprintf(code, "%s%s", shown[(unsigned char)in[1] % COUNT], in + 2);
    }
    f.data = json_deep_copy(factor.data);
    rc = ops->verify(state, &call, &f, code);
    FUZZ_ASSERT(rc == PC_OK || rc == PC_ERR_DENIED);
    if (rc == PC_OK)
        check_accepted(&f, code);
    else
        FUZZ_ASSERT(json_array_size(json_object_get(f.data, "failures")) == 1);
    json_decref(f.data);
    if (code != in)
        free(code);
    free(in);
    return 0;
}
