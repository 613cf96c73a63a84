/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer harness for core/authz/expr_*.c: any JSON compiles or is refused with a reason, and what compiles evaluates. */
#include "authz/expr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *fixture(void)
{
    static const char text[] =
        "{\"subject\":{\"id\":\"u1\",\"type\":\"user\",\"properties\":{\"roles\":[\"a\"],"
        "\"ip\":\"10.0.0.1\",\"n\":3,\"t\":\"2026-01-01T00:00:00Z\",\"l\":[1,\"x\",null]}},"
        "\"resource\":{\"id\":\"r\",\"type\":\"doc\",\"properties\":{\"ownerID\":\"u1\"}},"
        "\"action\":{\"name\":\"doc:read\"},\"context\":{\"ip\":\"2001:db8::1\"}}";

    return json_loads(text, 0, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *input;
    char why[200];
    json_t *cond;
    pc_expr *e;
    int r;

    if (input == NULL)
        input = fixture();
    cond = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (cond == NULL)
        return 0;
    e = pc_pdp_expr_compile(cond, why, sizeof why);
    if (e == NULL && why[0] == '\0')
        abort(); /* a refusal always says why (it is shown to the API caller) */
    if (e != NULL) {
        r = pc_pdp_expr_eval(e, input, 1780315200);
        if (r != 0 && r != 1)
            abort();
        pc_pdp_expr_free(e);
    }
    json_decref(cond);
    return 0;
}
