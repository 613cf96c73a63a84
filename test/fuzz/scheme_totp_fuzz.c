/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the TOTP scheme's code check (schemes/totp) through its plugin operations with the
 * server's real host table, on a factor enrolled at start. Input: the code the person typed;
 * a leading '@' stands for the code of the current step (what an authenticator shows).
 */
#include "fuzz_support.h"
#include "server/host.h"
#include <portcullis/portcullis.h>
#include "server/server.h"
#include "totp_core.h"

const pc_plugin *portcullis_plugin(void);

static const pc_scheme_ops *ops;
static void *state;
static pc_factor factor;
static uint8_t key[64];
static int key_len;
static const pc_scheme_call call = {.struct_size = sizeof(pc_scheme_call)};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *reply = NULL;

    (void)argc;
    (void)argv;
    ops = (const pc_scheme_ops *)portcullis_plugin();
    FUZZ_ASSERT(ops->base.init(pc_host_table(), NULL, &state) == PC_OK);
    factor.account = "fuzz";
    factor.issuer = FUZZ_ISSUER;
    factor.data = json_object();
    FUZZ_ASSERT(ops->enrol(state, &call, &factor, NULL, &reply) == PC_OK);
    json_decref(reply);
    key_len = totp_base32_decode(factor.secret, key, sizeof key);
    FUZZ_ASSERT(key_len > 0);
    return 0;
}

static int code_of_step(const totp_params *p, int64_t step, const char *code)
{
    char want[16];

    return step >= 0 &&
           totp_code_at(p, key, (size_t)key_len, step * p->period, want, sizeof want) == 0 &&
           strcmp(want, code) == 0;
}

/* RFC 6238 §5.2: accepted only as a step within one of now, and never again after. */
static void check_accepted(pc_factor *f, const totp_params *p, const char *code, int64_t t0,
                           int64_t t1)
{
    int64_t step = json_integer_value(json_object_get(f->data, "last_step"));
    int later = 0;

    FUZZ_ASSERT(step >= t0 - TOTP_WINDOW && step <= t1 + TOTP_WINDOW);
    FUZZ_ASSERT(code_of_step(p, step, code));
    for (int64_t s = step + 1; s <= t1 + TOTP_WINDOW; s++)
        later |= code_of_step(p, s, code);
    FUZZ_ASSERT(later || ops->verify(state, &call, f, code) == PC_ERR_DENIED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), *code = in;
    pc_factor f = factor;
    totp_params p = {(int)json_integer_value(json_object_get(factor.data, "digits")),
                     json_integer_value(json_object_get(factor.data, "period"))};
    int64_t t0 = pc_now() / p.period, t1;
    pc_status rc;

    if (in[0] == '@') {
        char now_code[16];
        FUZZ_ASSERT(totp_code_at(&p, key, (size_t)key_len, pc_now(), now_code, sizeof now_code) ==
                    0);
        code = malloc(size + sizeof now_code);
        sprintf(code, "%s%s", now_code, in + 1);
    }
    f.data = json_deep_copy(factor.data);
    rc = ops->verify(state, &call, &f, code);
    t1 = pc_now() / p.period;
    FUZZ_ASSERT(rc == PC_OK || rc == PC_ERR_DENIED);
    if (rc == PC_OK)
        check_accepted(&f, &p, code, t0, t1);
    json_decref(f.data);
    if (code != in)
        free(code);
    free(in);
    return 0;
}
