/* SPDX-License-Identifier: Apache-2.0 */
/* The pc_scheme_call a scheme plugin receives: tenant settings, delivery through providers, queued audits. */
#include "iam/mfa_call.h"
#include "iam/audit.h"
#include "iam/delivery.h"
#include "iam/providers.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Tenant settings "mfa".<method> (new), or NULL. */
static json_t *scheme_settings(const pc_tenant *t, const char *method)
{
    json_t *rec = NULL, *s = NULL;

    if (pc_db_get(NULL, PC_ENT_TENANT, NULL, "id", t->id, &rec) == PC_OK)
        s = json_incref(
            json_object_get(json_object_get(json_object_get(rec, "settings"), "mfa"), method));
    json_decref(rec);
    return s;
}

static const char *app_name(const char *tenant_id, const char *client_id, json_t **app)
{
    *app = NULL;
    if (client_id == NULL ||
        pc_db_get(NULL, PC_ENT_APPLICATION, tenant_id, "client_id", client_id, app) != PC_OK)
        return "";
    return json_string_value(json_object_get(*app, "name"));
}

static pc_status call_deliver_message(void *ctx, const pc_message *msg)
{
    pc_mfa_call *c = ctx;
    const char *tid = c->a->tenant->id;
    json_t *provider = NULL, *app = NULL, *vars;
    pc_message m = *msg;
    pc_status rc;

    if (c->ops->channel == NULL || msg->to == NULL || msg->text == NULL)
        return PC_ERR_INVALID;
    if (pc_provider_resolve(tid, c->a->client_id, c->ops->channel, &provider) != PC_OK) {
        pc_warn("no %s provider for tenant=%s client=%s: configure one (docs/mfa.md)",
                c->ops->channel, c->a->tenant->slug, c->a->client_id ? c->a->client_id : "-");
        return PC_ERR_UNAVAILABLE;
    }
    vars = msg->vars ? json_deep_copy(msg->vars) : json_object();
    json_object_set_new(vars, "tenant",
                        json_string(c->a->tenant->name ? c->a->tenant->name : c->a->tenant->slug));
    json_object_set_new(vars, "app", json_string(app_name(tid, c->a->client_id, &app)));
    m.vars = vars;
    /* Queued, not sent here: a slow provider must not hold an HTTP worker (docs/mfa.md). */
    rc = pc_delivery_enqueue(
        &(pc_delivery_spec){.tenant_id = tid,
                            .provider = provider,
                            .msg = &m,
                            .method = c->ops->method,
                            .actor = c->a->actor,
                            .user_id = json_string_value(json_object_get(c->a->user, "id")),
                            .ip = c->a->ip});
    json_decref(vars);
    json_decref(app);
    json_decref(provider);
    return rc;
}

static pc_status call_deliver(void *ctx, const char *to, const char *subject, const char *text)
{
    pc_message m = {.to = to, .subject = subject, .text = text, .vars = NULL};

    return call_deliver_message(ctx, &m);
}

static void call_audit(void *ctx, const char *type, const json_t *details)
{
    pc_mfa_call *c = ctx;

    json_array_append_new(c->audits, json_pack("[s,O?]", type, (json_t *)details));
}

pc_status pc_mfa_call_open(pc_mfa_call *c, const pc_mfa_actor *a, const pc_scheme_ops *ops,
                           const json_t *factor_rec)
{
    const char *user_id = json_string_value(json_object_get(a->user, "id"));
    const char *sealed = json_string_value(json_object_get(factor_rec, "secret_enc"));
    json_t *data = json_object_get(factor_rec, "data");
    uint8_t *plain = NULL;
    size_t n = 0;

    memset(c, 0, sizeof *c);
    c->a = a;
    c->ops = ops;
    c->settings = scheme_settings(a->tenant, ops->method);
    c->audits = json_array();
    c->call = (pc_scheme_call){.struct_size = sizeof c->call,
                               .ctx = c,
                               .deliver = call_deliver,
                               .settings = c->settings,
                               .tenant_name = a->tenant->name,
                               .deliver_message = call_deliver_message,
                               .audit = call_audit,
                               .challenge = a->challenge,
                               .flags = a->scheme_flags};
    c->factor.user_id = user_id;
    c->factor.account = json_string_value(json_object_get(a->user, "username"));
    c->factor.issuer = a->tenant->issuer;
    c->factor.data = json_is_object(data) ? json_deep_copy(data) : json_object();
    /* The user id as associated data: a sealed secret moved to another user does not open. */
    if (sealed != NULL && pc_unseal(pc_srv->master_key, user_id, sealed, &plain, &n) != PC_OK) {
        pc_error("an MFA secret does not open with this master key: tenant=%s user=%s",
                 a->tenant->slug, user_id);
        return PC_ERR_CRYPTO;
    }
    c->factor.secret = (char *)plain;
    return PC_OK;
}

void pc_mfa_call_audits(pc_mfa_call *c, pc_store_tx *tx)
{
    size_t i;
    json_t *e;

    json_array_foreach (c->audits, i, e)
        pc_audit_record(tx, c->a->tenant->id, json_string_value(json_array_get(e, 0)), c->a->actor,
                        json_string_value(json_object_get(c->a->user, "id")), c->a->ip,
                        json_array_get(e, 1));
    json_array_clear(c->audits);
}

char *pc_mfa_call_sealed_secret(const pc_mfa_call *c)
{
    char *sealed = NULL;

    if (c->factor.secret == NULL || pc_seal(pc_srv->master_key, c->factor.user_id, c->factor.secret,
                                            strlen(c->factor.secret), &sealed) != PC_OK)
        return NULL;
    return sealed;
}

void pc_mfa_call_close(pc_mfa_call *c)
{
    pc_free_secret(c->factor.secret);
    json_decref(c->factor.data);
    json_decref(c->settings);
    json_decref(c->audits);
    memset(c, 0, sizeof *c);
}
