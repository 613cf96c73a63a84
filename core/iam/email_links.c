/* SPDX-License-Identifier: Apache-2.0 */
/* Links by email (API.md §12): single-use tokens stored hashed, and the messages that carry them. */
#include "iam/email_links.h"
#include "iam/delivery.h"
#include "iam/providers.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32 /* 256 bits */

typedef struct kind_info {
    const char *kind;
    const char *page;
    const char *subject;
    const char *text;
} kind_info;

static const kind_info kinds[] = {
    {PC_LINK_RESET, "reset", "Reset your password",
     "Someone asked to reset the password of your {tenant} account ({email}).\n\n"
     "To choose a new password, open this link within {minutes} minutes:\n{link}\n\n"
     "If it was not you, ignore this message: your password stays as it is.\n"},
    {PC_LINK_VERIFY, "verify", "Confirm your email address",
     "Confirm that {email} is your address for {tenant} by opening this link within "
     "{minutes} minutes:\n{link}\n"},
    {PC_LINK_INVITE, "invite", "You are invited to {tenant}",
     "You are invited to join {tenant} as {email}.\n\n"
     "To accept and choose your password, open this link within {minutes} minutes:\n{link}\n"},
};

static const kind_info *info_of(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return &kinds[i];
    return NULL;
}

pc_status pc_links_provider(const pc_tenant *t, json_t **provider)
{
    /* Expired tokens go as new links are asked for (outside any transaction). */
    PC_DB->expire(PC_DBS, PC_ENT_LINK_TOKEN, "expires_at", pc_now());
    return pc_provider_resolve(t->id, NULL, "email", provider);
}

pc_status pc_links_issue(pc_store_tx *tx, const pc_tenant *t, const pc_link_spec *spec,
                         char **token)
{
    char *plain = pc_random_token(TOKEN_BYTES), *id = pc_sha256_hex(plain);
    int64_t now = pc_now();
    json_t *rec = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:I,s:I}", "id", id, "tenant_id", t->id,
                            "kind", spec->kind, "user_id", spec->user_id, "invitation_id",
                            spec->invitation_id, "email", spec->email, "created_at",
                            (json_int_t)now, "expires_at", (json_int_t)(now + spec->ttl));
    pc_status rc = pc_db_insert(tx, PC_ENT_LINK_TOKEN, rec, NULL, 0);

    json_decref(rec);
    free(id);
    if (rc != PC_OK) {
        pc_free_secret(plain);
        return rc;
    }
    *token = plain;
    return PC_OK;
}

pc_status pc_links_take(pc_store_tx *tx, const pc_tenant *t, const char *kind, const char *token,
                        json_t **rec)
{
    char *id;
    json_t *r = NULL;
    pc_status rc;

    if (token == NULL || strlen(token) < 40 || strlen(token) > 64)
        return PC_ERR_NOT_FOUND;
    id = pc_sha256_hex(token);
    rc = pc_db_get(tx, PC_ENT_LINK_TOKEN, t->id, "id", id, &r);
    if (rc == PC_OK && (strcmp(json_string_value(json_object_get(r, "kind")), kind) != 0 ||
                        json_integer_value(json_object_get(r, "expires_at")) <= pc_now()))
        rc = PC_ERR_NOT_FOUND;
    /* Single use: of two concurrent uses, one removes the record, the other finds none. */
    if (rc == PC_OK)
        rc = pc_db_remove(tx, PC_ENT_LINK_TOKEN, t->id, id);
    free(id);
    if (rc != PC_OK) {
        json_decref(r);
        return rc == PC_ERR_STORAGE ? rc : PC_ERR_NOT_FOUND;
    }
    *rec = r;
    return PC_OK;
}

/* Append `s` to the growing buffer. */
static void put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = pc_realloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

char *pc_links_render(const char *tmpl, const char *link, const char *tenant, int64_t minutes,
                      const char *email)
{
    char mins[24], *buf = NULL;
    size_t len = 0, cap = 0;
    const char *names[] = {"{link}", "{tenant}", "{minutes}", "{email}"};
    const char *values[] = {link, tenant, mins, email ? email : ""};

    snprintf(mins, sizeof mins, "%lld", (long long)minutes);
    put(&buf, &len, &cap, "", 0);
    for (const char *p = tmpl; *p;) {
        size_t i = 0;
        while (i < 4 && strncmp(p, names[i], strlen(names[i])) != 0)
            i++;
        if (i < 4) {
            put(&buf, &len, &cap, values[i], strlen(values[i]));
            p += strlen(names[i]);
        } else {
            put(&buf, &len, &cap, p, 1);
            p++;
        }
    }
    return buf;
}

/* The tenant's override of a message part, or the built-in text. */
static const char *template_of(const pc_tenant *t, const kind_info *k, const char *part)
{
    json_t *m = json_object_get(json_object_get(t->settings, "messages"), k->kind);
    const char *s = json_string_value(json_object_get(m, part));

    return s != NULL ? s : (strcmp(part, "subject") == 0 ? k->subject : k->text);
}

pc_status pc_links_send(const pc_tenant *t, const json_t *provider, const pc_link_spec *spec,
                        const char *token, const char *ip)
{
    const kind_info *k = info_of(spec->kind);
    char *link = pc_asprintf("%s/ui/%s?token=%s", t->issuer, k->page, token);
    const char *name = t->name ? t->name : t->slug;
    char *subject =
        pc_links_render(template_of(t, k, "subject"), link, name, spec->ttl / 60, spec->email);
    char *text =
        pc_links_render(template_of(t, k, "text"), link, name, spec->ttl / 60, spec->email);
    pc_message msg = {.to = spec->email, .subject = subject, .text = text, .vars = NULL};
    pc_delivery_spec d = {.tenant_id = t->id,
                          .provider = provider,
                          .msg = &msg,
                          .method = spec->kind,
                          .actor = "system",
                          .user_id = spec->user_id ? spec->user_id : spec->invitation_id,
                          .ip = ip,
                          .failure_event = "link.delivery_failed"};
    pc_status rc = pc_delivery_enqueue(&d);

    pc_free_secret(link);
    pc_free_secret(text);
    free(subject);
    return rc;
}
