/* SPDX-License-Identifier: Apache-2.0 */
/* Test identity-provider plugins: a well-formed one, and one whose flags promise what it lacks. */
#include <portcullis/portcullis.h>
#include <stdlib.h>
#include <string.h>

static pc_status begin(void *state, const pc_idp_call *call, char **url)
{
    (void)state;
    *url = strdup(call->redirect_uri);
    return *url != NULL ? PC_OK : PC_ERR_INTERNAL;
}

static pc_status finish(void *state, const pc_idp_call *call, pc_idp_identity *out)
{
    (void)state;
    (void)call;
    out->subject = strdup("test-subject");
    return out->subject != NULL ? PC_OK : PC_ERR_INTERNAL;
}

static const pc_idp_ops ops = {
    .base = PC_PLUGIN_BASE(pc_idp_ops, PC_KIND_IDP, TEST_PLUGIN_NAME, "0.0.1",
                           "loader test identity provider", NULL, NULL),
    .kind = TEST_PLUGIN_NAME,
    .flags = PC_IDP_REDIRECT,
    .begin = begin,
#ifndef TEST_NO_FINISH
    .finish = finish,
#endif
};

PC_EXPORT const pc_plugin *portcullis_plugin(void);
PC_EXPORT const pc_plugin *portcullis_plugin(void)
{
#ifdef TEST_NO_FINISH
    (void)finish;
#endif
    return &ops.base;
}
