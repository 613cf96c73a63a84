/* SPDX-License-Identifier: Apache-2.0 */
/* The words of the MFA step of browser sign-in: what to enter, and buttons for the other methods. */
#include "http/authorize.h"
#include "http/pages.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct method_words {
    const char *method, *lead, *label, *choice, *inputmode;
} method_words;

static const method_words words[] = {
    {"totp", "Enter the code your authenticator app shows for this account.", "Authentication code",
     "Use your authenticator app", "numeric"},
    {"sms", "Enter the code we sent to your phone.", "Code from the text message",
     "Send a code by text message", "numeric"},
    {"email", "Enter the code we sent to your email address.", "Code from the email",
     "Send a code by email", "numeric"},
    {"webauthn", "Use the passkey you saved for this account: your device asks you to confirm.",
     "Passkey", "Use a passkey", "text"},
    {"recovery_code",
     "Enter one of the recovery codes you saved when you set up two-step verification.",
     "Recovery code", "Use a recovery code", "text"},
};

static const method_words *words_of(const char *method)
{
    static const method_words other = {NULL, "Enter your verification code.", "Code", NULL, "text"};

    for (size_t i = 0; method != NULL && i < sizeof words / sizeof *words; i++)
        if (strcmp(words[i].method, method) == 0)
            return &words[i];
    return &other;
}

/* One button per other method, in the sign-in's order (the preferred first); every value escaped. */
static char *choices(const pc_web_out *out)
{
    char *html = pc_strdup("");
    size_t i;
    json_t *m;

    json_array_foreach (out->mfa_methods, i, m) {
        const char *method = json_string_value(m), *label = words_of(method)->choice;
        char *esc_m, *esc_l, *next;
        if (method == NULL || (out->mfa_method != NULL && strcmp(method, out->mfa_method) == 0))
            continue;
        esc_m = pc_html_escape(method);
        esc_l = pc_html_escape(label ? label : method);
        next = pc_asprintf("%s<li><button type=\"submit\" name=\"switch\" value=\"%s\" "
                           "class=\"link\">%s</button></li>",
                           html, esc_m, esc_l);
        free(esc_m);
        free(esc_l);
        free(html);
        html = next;
    }
    return html;
}

void pc_http_mfa_page_vars(const pc_req *rq, const pc_web_out *out, json_t *vars)
{
    const method_words *w = words_of(out->mfa_method);
    int resend = out->mfa_method &&
                 (strcmp(out->mfa_method, "sms") == 0 || strcmp(out->mfa_method, "email") == 0);
    char *other = choices(out);

    json_object_set_new(vars, "mfa_action",
                        json_sprintf("%s/oauth2/authorize/mfa", rq->tenant->issuer));
    json_object_set_new(vars, "method", json_string(out->mfa_method ? out->mfa_method : ""));
    json_object_set_new(vars, "method_lead", json_string(w->lead));
    json_object_set_new(vars, "code_label", json_string(w->label));
    json_object_set_new(vars, "inputmode", json_string(w->inputmode));
    json_object_set_new(vars, "can_resend", json_string(resend ? "1" : ""));
    json_object_set_new(vars, "notice", json_string(out->notice ? out->notice : ""));
    json_object_set_new(vars, "choices", json_string(other));
    json_object_set_new(vars, "is_passkey", json_string(out->passkey_options ? "1" : ""));
    json_object_set_new(vars, "is_code", json_string(out->passkey_options ? "" : "1"));
    free(other);
}
