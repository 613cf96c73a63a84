/* SPDX-License-Identifier: Apache-2.0 */
/* The email scheme: a one-time code sent to the user's verified address through an email provider. */
#include "code/code_scheme.h"

#include <string.h>

/* Plausible address: one @, something both sides, no spaces or line breaks, at most 254 bytes. */
static int email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);

    return n >= 3 && n <= 254 && at != NULL && at != s && at[1] != '\0' &&
           strchr(at + 1, '@') == NULL && strpbrk(s, " \t\r\n<>,;\"") == NULL;
}

static const code_scheme email = {
    .method = "email",
    .dest_field = "email",
    .dest_problem = "must be an email address",
    .dest_valid = email_valid,
    .default_subject = "Your {{tenant}} sign-in code",
    .default_text =
        "Your {{tenant}} sign-in code is {{code}}.\n\nIt expires in {{minutes}} minutes. "
        "If you did not try to sign in, ignore this message and consider changing your "
        "password.\n",
};

static pc_status init(const pc_host *host, const json_t *config, void **state)
{
    (void)config;
    return code_scheme_start(&email, host, state);
}

static const pc_scheme_ops ops = {
    .base =
        PC_PLUGIN_BASE(pc_scheme_ops, PC_KIND_SCHEME, "email", "1.0.0",
                       "One-time codes by email, through the tenant's email provider", init, NULL),
    .method = "email",
    .amr = "otp",
    .enrol = code_scheme_enrol_op,
    .challenge = code_scheme_challenge_op,
    .verify = code_scheme_verify_op,
    .channel = "email",
    .enrol_activates = 0,
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
    return &ops.base;
}
