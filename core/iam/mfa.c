/* SPDX-License-Identifier: Apache-2.0 */
/* Multi-factor factors: a user's factors, their status, enrolment, challenges and checks through the schemes. */
#include "iam/mfa.h"
#include "iam/mfa_call.h"
#include "server/metrics.h"
#include "server/store.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/mem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FACTORS 20

/* The order methods are listed in when none is preferred. */
static const char *const method_order[] = {"totp", "sms", "email", NULL};

const pc_scheme_ops *pc_mfa_scheme(const char *method, void **state)
{
    pc_registry *reg = &pc_srv->plugins;

    for (size_t i = 0; method != NULL && i < reg->n; i++) {
        const pc_scheme_ops *ops = (const pc_scheme_ops *)reg->items[i].desc;
        if (ops->base.kind == PC_KIND_SCHEME && reg->items[i].initialised && ops->method != NULL &&
            strcmp(ops->method, method) == 0) {
            *state = reg->items[i].state;
            return ops;
        }
    }
    return NULL;
}

pc_status pc_mfa_factors(const pc_tenant *t, const char *user_id, json_t **out)
{
    json_t *filters = json_pack("{s:s}", "user_id", user_id);
    pc_store_query q = {.filters = filters, .after = NULL, .limit = MAX_FACTORS, .descending = 0};
    pc_status rc = pc_db_list(NULL, PC_ENT_MFA, t->id, &q, out);

    json_decref(filters);
    return rc;
}

json_t *pc_mfa_find(const json_t *factors, const char *method)
{
    size_t i;
    json_t *f;

    json_array_foreach (factors, i, f)
        if (strcmp(json_string_value(json_object_get(f, "method")), method) == 0)
            return f;
    return NULL;
}

int pc_mfa_is_active(const json_t *factor)
{
    const char *s = json_string_value(json_object_get(factor, "state"));

    return s != NULL && strcmp(s, PC_MFA_ACTIVE) == 0;
}

static int64_t recovery_left(const json_t *factors)
{
    json_t *r = pc_mfa_find(factors, PC_MFA_RECOVERY);

    return pc_mfa_is_active(r)
               ? json_integer_value(json_object_get(json_object_get(r, "data"), "remaining"))
               : 0;
}

/* Enabled methods in display order: known ones first, then any other scheme's (new array). */
static json_t *enabled_methods(const json_t *factors, const char **preferred)
{
    json_t *out = json_array(), *f;
    size_t i;

    *preferred = NULL;
    for (size_t k = 0; method_order[k]; k++)
        if (pc_mfa_is_active(pc_mfa_find(factors, method_order[k])))
            json_array_append_new(out, json_string(method_order[k]));
    json_array_foreach (factors, i, f) {
        const char *m = json_string_value(json_object_get(f, "method"));
        int known = strcmp(m, PC_MFA_RECOVERY) == 0 || strcmp(m, "totp") == 0 ||
                    strcmp(m, "sms") == 0 || strcmp(m, "email") == 0;
        if (!known && pc_mfa_is_active(f))
            json_array_append_new(out, json_string(m));
        if (pc_mfa_is_active(f) &&
            json_is_true(json_object_get(json_object_get(f, "data"), "preferred")))
            *preferred = m;
    }
    if (*preferred == NULL && json_array_size(out) > 0)
        *preferred = json_string_value(json_array_get(out, 0));
    return out;
}

json_t *pc_mfa_status(const json_t *factors)
{
    const char *preferred;
    json_t *enabled = enabled_methods(factors, &preferred);

    return json_pack("{s:o,s:s?,s:I}", "enabled", enabled, "preferred", preferred,
                     "recovery_codes_left", (json_int_t)recovery_left(factors));
}

json_t *pc_mfa_signin_methods(const json_t *factors)
{
    const char *preferred;
    json_t *enabled = enabled_methods(factors, &preferred), *out, *m;
    size_t i;

    if (json_array_size(enabled) == 0)
        return enabled;
    out = json_array();
    json_array_append_new(out, json_string(preferred));
    json_array_foreach (enabled, i, m)
        if (strcmp(json_string_value(m), preferred) != 0)
            json_array_append(out, m);
    if (recovery_left(factors) > 0)
        json_array_append_new(out, json_string(PC_MFA_RECOVERY));
    json_decref(enabled);
    return out;
}

int pc_mfa_scheme_adds(const pc_scheme_ops *ops)
{
    return ops != NULL &&
           ops->base.struct_size >= offsetof(pc_scheme_ops, enrol_adds) + sizeof(int) &&
           ops->enrol_adds;
}

/* Store what enrol() made: a new record, or the pending one updated. */
static pc_status save_enrolment(const pc_mfa_actor *a, pc_mfa_call *c, const json_t *existing)
{
    char *sealed = pc_mfa_call_sealed_secret(c), id[37];
    const char *state =
        c->ops->enrol_activates || (pc_mfa_scheme_adds(c->ops) && pc_mfa_is_active(existing))
            ? PC_MFA_ACTIVE
            : PC_MFA_PENDING;
    json_int_t now = pc_now();
    json_t *rec;
    pc_status rc;

    if (c->factor.secret != NULL && sealed == NULL)
        return PC_ERR_CRYPTO;
    if (existing != NULL) {
        rec = json_pack("{s:s,s:s?,s:O,s:I}", "state", state, "secret_enc", sealed, "data",
                        c->factor.data, "updated_at", now);
        rc = pc_db_update(NULL, PC_ENT_MFA, a->tenant->id,
                          json_string_value(json_object_get(existing, "id")), rec, NULL, 0);
    } else {
        pc_uuid7(id);
        rec = json_pack("{s:s,s:s,s:O,s:s,s:s,s:s?,s:O,s:I,s:I}", "id", id, "tenant_id",
                        a->tenant->id, "user_id", json_object_get(a->user, "id"), "method",
                        c->ops->method, "state", state, "secret_enc", sealed, "data",
                        c->factor.data, "created_at", now, "updated_at", now);
        rc = pc_db_insert(NULL, PC_ENT_MFA, rec, NULL, 0);
    }
    json_decref(rec);
    free(sealed);
    return rc;
}

/* An empty body for an active email/SMS factor asks for a fresh code (before disabling it). */
static int wants_code(const pc_scheme_ops *ops, const json_t *existing, const json_t *input)
{
    return ops->challenge != NULL && pc_mfa_is_active(existing) && json_object_size(input) == 0;
}

pc_status pc_mfa_enrol(const pc_mfa_actor *a, const char *method, const json_t *input,
                       json_t **reply)
{
    void *state = NULL;
    const pc_scheme_ops *ops = pc_mfa_scheme(method, &state);
    json_t *factors = NULL, *existing;
    pc_mfa_call c;
    pc_status rc;

    *reply = NULL;
    if (ops == NULL)
        return PC_ERR_NOT_FOUND;
    rc = pc_mfa_factors(a->tenant, json_string_value(json_object_get(a->user, "id")), &factors);
    if (rc != PC_OK)
        return rc;
    existing = pc_mfa_find(factors, method);
    if (wants_code(ops, existing, input)) {
        rc = pc_mfa_challenge(a, existing);
        goto out;
    }
    if (pc_mfa_is_active(existing) && !ops->enrol_activates && !pc_mfa_scheme_adds(ops)) {
        rc = PC_ERR_CONFLICT;
        goto out;
    }
    /* A pending enrolment's data is kept: its resend throttle holds across restarts. */
    rc = pc_mfa_call_open(&c, a, ops, ops->enrol_activates ? NULL : existing);
    if (rc == PC_OK) {
        pc_free_secret(c.factor.secret);
        c.factor.secret = NULL;
        rc = ops->enrol(state, &c.call, &c.factor, input, reply);
    }
    if (rc == PC_OK)
        rc = save_enrolment(a, &c, existing);
    pc_mfa_call_audits(&c, NULL);
    pc_mfa_call_close(&c);
out:
    json_decref(factors);
    return rc;
}

pc_status pc_mfa_challenge(const pc_mfa_actor *a, const json_t *factor)
{
    void *state = NULL;
    const pc_scheme_ops *ops =
        pc_mfa_scheme(json_string_value(json_object_get(factor, "method")), &state);
    json_t *patch;
    pc_mfa_call c;
    pc_status rc;

    if (ops == NULL || ops->challenge == NULL)
        return PC_ERR_INVALID;
    rc = pc_mfa_call_open(&c, a, ops, factor);
    if (rc == PC_OK)
        rc = ops->challenge(state, &c.call, &c.factor);
    if (rc == PC_OK) {
        patch = json_pack("{s:O,s:I}", "data", c.factor.data, "updated_at", (json_int_t)pc_now());
        rc = pc_db_update(NULL, PC_ENT_MFA, a->tenant->id,
                          json_string_value(json_object_get(factor, "id")), patch, NULL, 0);
        json_decref(patch);
    }
    pc_mfa_call_audits(&c, NULL);
    pc_mfa_call_close(&c);
    return rc;
}

/* The amr value a success earned: the scheme's choice among RFC 8176's key values, else its static one. */
static const char *earned_amr(const pc_scheme_ops *ops, const char *chosen)
{
    static const char *const keys[] = {"hwk", "swk", NULL};

    for (size_t i = 0; chosen != NULL && keys[i]; i++)
        if (strcmp(chosen, keys[i]) == 0)
            return keys[i];
    return ops->amr;
}

/* Lock the factor's row in tx and read it: concurrent checks of one factor queue here. */
static pc_status lock_factor(pc_store_tx *tx, const pc_tenant *t, const char *id, json_t **rec)
{
    json_t *touch = json_pack("{s:I}", "updated_at", (json_int_t)pc_now());
    pc_status rc = pc_db_update(tx, PC_ENT_MFA, t->id, id, touch, NULL, 0);

    json_decref(touch);
    return rc == PC_OK ? pc_db_get(tx, PC_ENT_MFA, t->id, "id", id, rec) : rc;
}

pc_status pc_mfa_verify_in(pc_store_tx *tx, const pc_mfa_actor *a, const char *factor_id,
                           const char *code, const char **method_amr)
{
    json_t *rec = NULL, *patch;
    const pc_scheme_ops *ops;
    void *state = NULL;
    pc_mfa_call c;
    char *c_amr = NULL;
    pc_status rc = lock_factor(tx, a->tenant, factor_id, &rec), wrc;

    if (rc != PC_OK)
        return rc;
    ops = pc_mfa_scheme(json_string_value(json_object_get(rec, "method")), &state);
    if (ops == NULL || code == NULL) {
        json_decref(rec);
        return ops == NULL ? PC_ERR_NOT_FOUND : PC_ERR_DENIED;
    }
    rc = pc_mfa_call_open(&c, a, ops, rec);
    if (rc == PC_OK) {
        rc = ops->verify(state, &c.call, &c.factor, code);
        pc_metrics_count2("mfa_verifications", "method", ops->method, "outcome",
                          rc == PC_OK           ? "success"
                          : rc == PC_ERR_DENIED ? "failure"
                                                : "error");
    }
    c_amr = pc_strdup(json_string_value(json_object_get(c.factor.data, "amr")));
    /* Counters and replay markers change on failures too: always written back. */
    patch = json_pack("{s:O}", "data", c.factor.data);
    wrc = c.factor.data ? pc_db_update(tx, PC_ENT_MFA, a->tenant->id, factor_id, patch, NULL, 0)
                        : PC_OK;
    json_decref(patch);
    pc_mfa_call_audits(&c, tx);
    pc_mfa_call_close(&c);
    json_decref(rec);
    if (method_amr != NULL)
        *method_amr = rc == PC_OK ? earned_amr(ops, c_amr) : ops->amr;
    free(c_amr);
    return wrc != PC_OK ? wrc : rc;
}

pc_status pc_mfa_set_preferred(pc_store_tx *tx, const pc_tenant *t, const json_t *factors,
                               const char *method)
{
    size_t i;
    json_t *f;
    pc_status rc = PC_OK;

    json_array_foreach (factors, i, f) {
        json_t *data = json_deep_copy(json_object_get(f, "data")), *patch;
        int want = strcmp(json_string_value(json_object_get(f, "method")), method) == 0;
        if (!json_is_object(data) || json_is_true(json_object_get(data, "preferred")) == want) {
            json_decref(data);
            continue;
        }
        json_object_set_new(data, "preferred", json_boolean(want));
        patch = json_pack("{s:o}", "data", data);
        if (rc == PC_OK)
            rc = pc_db_update(tx, PC_ENT_MFA, t->id, json_string_value(json_object_get(f, "id")),
                              patch, NULL, 0);
        json_decref(patch);
    }
    return rc;
}
