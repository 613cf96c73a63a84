/* SPDX-License-Identifier: Apache-2.0 */
/* The SMS scheme: a one-time code sent to the user's verified phone number through an SMS provider. */
#include "code/code_scheme.h"

#include <string.h>

/* E.164: a plus, a non-zero digit, then 6 to 14 more digits. */
static int phone_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 8 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static const code_scheme sms = {
    .method = "sms",
    .dest_field = "phone_number",
    .dest_problem = "must be an E.164 phone number (+ and 7 to 15 digits)",
    .dest_valid = phone_valid,
    .default_subject = NULL,
    .default_text = "{{code}} is your {{tenant}} sign-in code. It expires in {{minutes}} minutes.",
};

static pc_status init(const pc_host *host, const json_t *config, void **state)
{
    (void)config;
    return code_scheme_start(&sms, host, state);
}

static const pc_scheme_ops ops = {
    .base = PC_PLUGIN_BASE(pc_scheme_ops, PC_KIND_SCHEME, "sms", "1.0.0",
                           "One-time codes by SMS, through the tenant's SMS provider", init, NULL),
    .method = "sms",
    .amr = "sms",
    .enrol = code_scheme_enrol_op,
    .challenge = code_scheme_challenge_op,
    .verify = code_scheme_verify_op,
    .channel = "sms",
    .enrol_activates = 0,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
